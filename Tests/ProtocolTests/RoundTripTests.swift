import FanoutProtocol
import NIOCore
import NIOTestUtils
import Testing

@Suite("Round trips")
struct RoundTripTests {
    static let messages: [Message] =
        GoldenFrame.all.map(\.message) + [
            .hello(Hello.coordinator(softwareVersion: "", hostName: "")),
            .hello(
                .worker(
                    softwareVersion: "1.2.3-dev+é",
                    hostName: "ünïcode.example",
                    capabilities: WorkerCapabilities(poolKind: .threads, slots: .max, cores: .max, kinds: [])
                )
            ),
            .hello(
                .worker(
                    softwareVersion: "0.1.0",
                    hostName: "w",
                    capabilities: WorkerCapabilities(
                        poolKind: .threads,
                        slots: 1,
                        cores: 0,
                        kinds: [
                            JobKindName("primes.check", version: 2),
                            JobKindName("primes.check", version: 1),
                            JobKindName(String(repeating: "k", count: JobKindName.maximumLength), version: .max),
                            JobKindName("a-b_C.9", version: 0),
                        ]
                    )
                )
            ),
            .submit(
                Submit(
                    jobID: JobID(.max),
                    attempt: .max,
                    kind: JobKindID(rawValue: .max),
                    timeoutNanoseconds: .max,
                    payload: ByteBuffer(bytes: (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
                )
            ),
            .submit(Submit(jobID: JobID(0), attempt: 0, kind: JobKindID(rawValue: 0), payload: ByteBuffer(bytes: [0]))),
            .result(
                JobResult(
                    jobID: JobID(1),
                    attempt: 1,
                    outcome: .ok(ByteBuffer(repeating: 0xAB, count: 100_000)),
                    slot: JobResult.noSlot - 1,
                    queueNanoseconds: .max,
                    runNanoseconds: .max,
                    startedAt: .max
                )
            ),
            .result(
                JobResult(
                    jobID: JobID(2),
                    attempt: 9,
                    outcome: .failed(JobFailure(code: ErrorCode(rawValue: 0xBEEF), detail: .max, message: "")),
                    slot: nil
                )
            ),
            .result(JobResult(jobID: JobID(3), attempt: 1, outcome: .ok(ByteBuffer(bytes: [0])), slot: 0)),
            .error(ErrorReport(code: .unexpectedMessage, message: "ünïcode ✓ " + String(repeating: "x", count: 300))),
        ]

    @Test("every message survives encode then decode", arguments: Self.messages)
    func roundTrip(message: Message) throws {
        var buffer = try frame(message)
        var decoder = MessageDecoder()
        #expect(try decoder.decode(buffer: &buffer) == message)
        #expect(buffer.readableBytes == 0)
    }

    @Test("split and coalesced input decode to the same messages")
    func decoderVerifier() throws {
        // Drip-feeding is quadratic in frame size, so the verifier gets the frames of everyday size.
        let pairs = try Self.messages.map { (try frame($0), [$0]) }.filter { $0.0.readableBytes < 1024 }
        #expect(pairs.count >= GoldenFrame.all.count)
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { MessageDecoder() }
    }

    @Test("many frames in one buffer decode in order")
    func coalescedFrames() throws {
        var buffer = ByteBuffer()
        for message in Self.messages {
            try buffer.writeFrame(message)
        }
        var decoder = MessageDecoder()
        var decoded: [Message] = []
        while let message = try decoder.decode(buffer: &buffer) {
            decoded.append(message)
        }
        #expect(decoded == Self.messages)
        #expect(try decoder.decodeLast(buffer: &buffer, seenEOF: true) == nil)
    }
}
