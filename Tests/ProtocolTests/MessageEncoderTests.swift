import FanoutProtocol
import NIOCore
import NIOEmbedded
import Testing

@Suite("Encoding")
struct MessageEncoderTests {
    @Test("frames written between two flushes leave as one buffer")
    func batchesUntilFlush() throws {
        let channel = EmbeddedChannel(handler: MessageEncoder())
        let messages: [Message] = (0..<100).map {
            .result(JobResult(jobID: JobID(UInt64($0)), attempt: 1, outcome: .ok(ByteBuffer()), slot: 0))
        }
        var futures: [EventLoopFuture<Void>] = []
        for message in messages {
            futures.append(channel.write(message))
        }
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        channel.flush()

        var batch = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        var decoder = MessageDecoder()
        var decoded: [Message] = []
        while let message = try decoder.decode(buffer: &batch) {
            decoded.append(message)
        }
        #expect(decoded == messages)
        for future in futures {
            try future.wait()
        }
        #expect(try channel.finish().isClean)
    }

    @Test("a message that cannot be encoded fails alone and the batch goes on")
    func failedMessageLeavesBatchIntact() throws {
        let channel = EmbeddedChannel(handler: MessageEncoder(limits: FrameLimits(maximumFrameLength: 64)))
        let first = channel.write(Message.drain)
        let tooBig = channel.write(
            Message.error(ErrorReport(code: .jobFailed, message: String(repeating: "x", count: 100)))
        )
        let last = channel.write(Message.goodbye)
        channel.flush()

        try first.wait()
        try last.wait()
        let error = try #require(throws: ProtocolError.self) { try tooBig.wait() }
        #expect(error.code == .frameTooLarge)

        let batch = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(batch == ByteBuffer(hex: "00000002 06 00  00000002 07 00"))
        _ = try channel.finish()
    }

    @Test("pending writes fail when the channel closes before a flush")
    func pendingWritesFailOnClose() throws {
        let channel = EmbeddedChannel(handler: MessageEncoder())
        let pending = channel.write(Message.drain)
        _ = try channel.finish()
        #expect(throws: ChannelError.self) { try pending.wait() }
    }

    @Test("a string too long for the wire is refused and leaves the buffer as it was")
    func overlongString() throws {
        var buffer = ByteBuffer(hex: "AA")
        let hello = Hello.coordinator(softwareVersion: "1", hostName: String(repeating: "h", count: 70_000))
        let error = try #require(throws: ProtocolError.self) { try buffer.writeFrame(.hello(hello)) }
        #expect(error.code == .invalidField)
        #expect(error.message.contains("hello.hostName"))
        #expect(buffer == ByteBuffer(hex: "AA"))
    }

    @Test("hello capabilities must match the role")
    func helloCapabilitiesMatchRole() throws {
        var buffer = ByteBuffer()
        let workerWithout = Hello(role: .worker, softwareVersion: "1", hostName: "w")
        #expect(throws: ProtocolError.self) { try buffer.writeFrame(.hello(workerWithout)) }
        let coordinatorWith = Hello(
            role: .coordinator,
            softwareVersion: "1",
            hostName: "c",
            capabilities: WorkerCapabilities(poolKind: .threads, slots: 1, cores: 1, kinds: [])
        )
        #expect(throws: ProtocolError.self) { try buffer.writeFrame(.hello(coordinatorWith)) }
        #expect(buffer.readableBytes == 0)
    }

    @Test("a worker listing more kinds than a UInt16 counts is refused and leaves the buffer as it was")
    func tooManyKinds() throws {
        var buffer = ByteBuffer(hex: "AA")
        let kinds = (0...Int(UInt16.max)).map { JobKindName("k\($0)", version: 1) }
        let hello = Hello.worker(
            softwareVersion: "1",
            hostName: "w",
            capabilities: WorkerCapabilities(poolKind: .threads, slots: 1, cores: 1, kinds: kinds)
        )
        let error = try #require(throws: ProtocolError.self) {
            try buffer.writeFrame(.hello(hello), limits: FrameLimits(maximumFrameLength: Int(UInt32.max)))
        }
        #expect(error.code == .invalidField)
        #expect(error.message.contains("65536 kinds"))
        #expect(buffer == ByteBuffer(hex: "AA"))
    }

    @Test("error and failure messages are cut to fit between Unicode scalars")
    func longMessagesAreCut() throws {
        let report = ErrorReport(code: .jobFailed, message: String(repeating: "é", count: 40_000))
        #expect(report.message.utf8.count == 65_534)
        #expect(report.message.unicodeScalars.allSatisfy { $0 == "é" })
        let failure = JobFailure(code: .jobFailed, message: String(repeating: "a", count: 70_000))
        #expect(failure.message.utf8.count == 65_535)
        var buffer = try frame(.error(report))
        var decoder = MessageDecoder()
        #expect(try decoder.decode(buffer: &buffer) == .error(report))
    }

    @Test("pong timestamps give round trip and clock offset")
    func pongArithmetic() {
        // Pinger sends at 1_000, the other clock runs 500 ahead, each way takes 100, the answer takes 20.
        let pong = Pong(pingSentAt: 1_000, receivedAt: 1_600, sentAt: 1_620)
        #expect(pong.roundTripNanoseconds(receivedBack: 1_220) == 200)
        #expect(pong.clockOffsetNanoseconds(receivedBack: 1_220) == 500)
    }
}

@Suite("Limits")
struct LimitTests {
    static let limits = FrameLimits(maximumFrameLength: 4096)

    @Test("the largest output fits a result frame; one byte more does not")
    func outputLimit() throws {
        let largest = JobResult.maximumOutputLength(within: Self.limits)
        #expect(largest == 4096 - 39)
        func result(_ size: Int) -> Message {
            .result(JobResult(jobID: JobID(1), attempt: 1, outcome: .ok(ByteBuffer(repeating: 0x41, count: size)), slot: 0))
        }
        var buffer = ByteBuffer()
        try buffer.writeFrame(result(largest), limits: Self.limits)
        #expect(buffer.readableBytes == 4 + 4096)
        let error = try #require(throws: ProtocolError.self) {
            try buffer.writeFrame(result(largest + 1), limits: Self.limits)
        }
        #expect(error.code == .frameTooLarge)
        #expect(buffer.readableBytes == 4 + 4096)
        #expect(throws: Never.self) { try result(largest).checkEncodes(within: Self.limits) }
        #expect(throws: ProtocolError.self) { try result(largest + 1).checkEncodes(within: Self.limits) }
    }

    @Test("the largest payload fits a submit frame; one byte more does not")
    func payloadLimit() throws {
        let largest = Submit.maximumPayloadLength(within: Self.limits)
        #expect(largest == 4096 - 22)
        func submit(_ size: Int) -> Message {
            .submit(Submit(jobID: JobID(1), kind: JobKindID(rawValue: 0), payload: ByteBuffer(repeating: 0x42, count: size)))
        }
        var buffer = ByteBuffer()
        try buffer.writeFrame(submit(largest), limits: Self.limits)
        #expect(buffer.readableBytes == 4 + 4096)
        let error = try #require(throws: ProtocolError.self) {
            try buffer.writeFrame(submit(largest + 1), limits: Self.limits)
        }
        #expect(error.code == .frameTooLarge)
        #expect(buffer.readableBytes == 4 + 4096)
        var decoder = MessageDecoder(limits: Self.limits)
        #expect(try decoder.decode(buffer: &buffer) == submit(largest))
    }

    @Test("the overheads are what an empty payload or output costs a frame")
    func overheads() throws {
        let submit = try frame(.submit(Submit(jobID: JobID(1), kind: JobKindID(rawValue: 0), payload: ByteBuffer())))
        #expect(submit.readableBytes == FrameHeader.lengthFieldLength + Submit.overhead)
        let result = try frame(.result(JobResult(jobID: JobID(1), attempt: 1, outcome: .ok(ByteBuffer()), slot: 0)))
        #expect(result.readableBytes == FrameHeader.lengthFieldLength + JobResult.overhead)
    }
}
