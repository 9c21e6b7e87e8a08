import FanoutProtocol
import NIOCore
import Testing

/// One message per layout the wire has, with its bytes written out by hand from docs/PROTOCOL.md.
///
/// Job inputs and outputs are opaque to the protocol; the ones here are the built-in kinds' (docs/PROTOCOL.md,
/// "Built-in job kinds"), written with the public field helpers a kind uses, so these frames pin those helpers'
/// bytes too. Kind numbers are the ones a worker that runs the built-in kinds gives them: 0 primes.check.v1,
/// 1 primes.check.batch.v1, 2 fibonacci.v1, 4 flags.download.v1, 6 sleep.v1, 8 noop.v1.
struct GoldenFrame: Sendable, CustomTestStringConvertible {
    var name: String
    var message: Message
    var hex: String

    var testDescription: String { self.name }

    static let all: [GoldenFrame] = [
        GoldenFrame(
            name: "hello from a coordinator",
            message: .hello(.coordinator(softwareVersion: "0.1.0", hostName: "c1")),
            hex: "00000014 01 00  464E4F54 0005 01  0005 302E312E30  0002 6331"
        ),
        GoldenFrame(
            name: "hello from a worker, with two kinds",
            message: .hello(
                .worker(
                    softwareVersion: "0.1.0",
                    hostName: "w1",
                    capabilities: WorkerCapabilities(
                        poolKind: .processes,
                        slots: 4,
                        cores: 2,
                        kinds: [JobKindName("primes.check", version: 1), JobKindName("primes.check.batch", version: 1)]
                    )
                )
            ),
            hex: """
                00000041 01 00  464E4F54 0005 02  0005 302E312E30  0002 7731  02 0004 0002
                0002  000C 7072696D65732E636865636B 0001  0012 7072696D65732E636865636B2E6261746368 0001
                """
        ),
        GoldenFrame(
            name: "submit primes.check",
            message: .submit(
                Submit(
                    jobID: JobID(0x0102_0304_0506_0708),
                    attempt: 1,
                    kind: JobKindID(rawValue: 0),
                    timeoutNanoseconds: 5_000_000_000,
                    payload: bytes { $0.writeMultipleIntegers(UInt64(97), UInt8(3)) }
                )
            ),
            hex: "0000001F 02 00  0102030405060708 0001 0000 000000012A05F200  0000000000000061 03"
        ),
        GoldenFrame(
            name: "submit fibonacci",
            message: .submit(
                Submit(jobID: JobID(2), attempt: 3, kind: JobKindID(rawValue: 2), payload: bytes { $0.writeInteger(UInt32(30)) })
            ),
            hex: "0000001A 02 00  0000000000000002 0003 0002 0000000000000000  0000001E"
        ),
        GoldenFrame(
            name: "submit flags.download",
            message: .submit(
                Submit(
                    jobID: JobID(3),
                    kind: JobKindID(rawValue: 4),
                    payload: bytes {
                        try $0.writeWireString("Chad", field: "country")
                        try $0.writeWireString("http://f/td.svg", field: "url")
                    }
                )
            ),
            hex: """
                0000002D 02 00  0000000000000003 0001 0004 0000000000000000
                0004 43686164  000F 687474703A2F2F662F74642E737667
                """
        ),
        GoldenFrame(
            name: "submit sleep",
            message: .submit(
                Submit(jobID: JobID(4), kind: JobKindID(rawValue: 6), payload: bytes { $0.writeInteger(UInt64(1_000_000)) })
            ),
            hex: "0000001E 02 00  0000000000000004 0001 0006 0000000000000000  00000000000F4240"
        ),
        GoldenFrame(
            name: "submit with an empty payload, noop",
            message: .submit(Submit(jobID: JobID(5), kind: JobKindID(rawValue: 8), payload: ByteBuffer())),
            hex: "00000016 02 00  0000000000000005 0001 0008 0000000000000000"
        ),
        GoldenFrame(
            name: "submit primes.check batch",
            message: .submit(
                Submit(
                    jobID: JobID(6),
                    kind: JobKindID(rawValue: 1),
                    payload: bytes {
                        try $0.writeWireLength(2, field: "batch.count")
                        for (n, method) in [(UInt64(7), UInt8(2)), (UInt64(8), UInt8(1))] {
                            try $0.writeWireLength(9, field: "batch.item.length")
                            $0.writeMultipleIntegers(n, method)
                        }
                    }
                )
            ),
            hex: """
                0000002B 02 00  0000000000000006 0001 0001 0000000000000000
                02  09 0000000000000007 02  09 0000000000000008 01
                """
        ),
        GoldenFrame(
            name: "put, the middle of an executable file",
            message: .put(Put(name: "run.sh", executable: true, size: 10, offset: 4, bytes: ByteBuffer(string: "abc"))),
            hex: "00000022 0B 00  0006 72756E2E7368  01  000000000000000A 0000000000000004  00000003 616263"
        ),
        GoldenFrame(
            name: "started",
            message: .started(Started(jobID: JobID(7), attempt: 2, slot: 3)),
            hex: "0000000E 03 00  0000000000000007 0002 0003"
        ),
        GoldenFrame(
            name: "result ok, primes.check",
            message: .result(
                JobResult(
                    jobID: JobID(7),
                    attempt: 2,
                    outcome: .ok(bytes { $0.writeWireBool(true) }),
                    slot: 3,
                    queueNanoseconds: 1000,
                    runNanoseconds: 2000,
                    startedAt: 1_764_000_000_123_456_789
                )
            ),
            hex: "00000028 04 00  0000000000000007 0002 00 0003 00000000000003E8 00000000000007D0 187AFCA76F25CD15  01"
        ),
        GoldenFrame(
            name: "result ok, fibonacci",
            message: .result(
                JobResult(jobID: JobID(8), attempt: 1, outcome: .ok(bytes { $0.writeInteger(UInt64(832_040)) }), slot: 0)
            ),
            hex: "0000002F 04 00  0000000000000008 0001 00 0000 0000000000000000 0000000000000000 0000000000000000  00000000000CB228"
        ),
        GoldenFrame(
            name: "result ok, flags.download",
            message: .result(JobResult(jobID: JobID(9), attempt: 1, outcome: .ok(ByteBuffer(string: "<svg/>")), slot: 1)),
            hex: "0000002D 04 00  0000000000000009 0001 00 0001 0000000000000000 0000000000000000 0000000000000000  3C7376672F3E"
        ),
        GoldenFrame(
            name: "result ok with empty output, sleep or noop",
            message: .result(JobResult(jobID: JobID(12), attempt: 1, outcome: .ok(ByteBuffer()), slot: 0)),
            hex: "00000027 04 00  000000000000000C 0001 00 0000 0000000000000000 0000000000000000 0000000000000000"
        ),
        GoldenFrame(
            name: "result ok, primes.check batch",
            message: .result(
                JobResult(
                    jobID: JobID(6),
                    attempt: 1,
                    outcome: .ok(
                        bytes {
                            try $0.writeWireLength(3, field: "batch.count")
                            $0.writeInteger(JobOutcome.Status.ok.rawValue)
                            try $0.writeWireLength(1, field: "batch.item.length")
                            $0.writeWireBool(true)
                            $0.writeInteger(JobOutcome.Status.failed.rawValue)
                            try $0.writeJobFailure(JobFailure(code: .invalidJob, message: "no"))
                            $0.writeInteger(JobOutcome.Status.ok.rawValue)
                            try $0.writeWireLength(1, field: "batch.item.length")
                            $0.writeWireBool(false)
                        }
                    ),
                    slot: 0
                )
            ),
            hex: """
                00000039 04 00  0000000000000006 0001 00 0000 0000000000000000 0000000000000000 0000000000000000
                03  00 01 01  01 0105 00000000 0002 6E6F  00 01 00
                """
        ),
        GoldenFrame(
            name: "result failed",
            message: .result(
                JobResult(
                    jobID: JobID(10),
                    attempt: 1,
                    outcome: .failed(JobFailure(code: .httpStatus, detail: 404, message: "HTTP 404")),
                    slot: 2,
                    queueNanoseconds: 5,
                    runNanoseconds: 6
                )
            ),
            hex: """
                00000037 04 00  000000000000000A 0001 01 0002 0000000000000005 0000000000000006 0000000000000000
                0102 00000194 0008 4854545020343034
                """
        ),
        GoldenFrame(
            name: "result cancelled",
            message: .result(JobResult(jobID: JobID(11), attempt: 1, outcome: .cancelled, slot: nil)),
            hex: "00000027 04 00  000000000000000B 0001 02 FFFF 0000000000000000 0000000000000000 0000000000000000"
        ),
        GoldenFrame(
            name: "cancel",
            message: .cancel(Cancel(jobID: JobID(11))),
            hex: "0000000A 05 00  000000000000000B"
        ),
        GoldenFrame(name: "drain", message: .drain, hex: "00000002 06 00"),
        GoldenFrame(name: "goodbye", message: .goodbye, hex: "00000002 07 00"),
        GoldenFrame(
            name: "ping",
            message: .ping(Ping(sentAt: 0x0102_0304_0506_0708)),
            hex: "0000000A 08 00  0102030405060708"
        ),
        GoldenFrame(
            name: "pong",
            message: .pong(Pong(pingSentAt: 1, receivedAt: 2, sentAt: 3)),
            hex: "0000001A 09 00  0000000000000001 0000000000000002 0000000000000003"
        ),
        GoldenFrame(
            name: "error",
            message: .error(ErrorReport(code: .versionMismatch, message: "bad")),
            hex: "00000009 0A 00  000A 0003 626164"
        ),
    ]
}

/// The bytes `write` appends to an empty buffer: a job's input or output as its kind writes it.
func bytes(_ write: (inout ByteBuffer) throws -> Void) -> ByteBuffer {
    var buffer = ByteBuffer()
    do {
        try write(&buffer)
    } catch {
        preconditionFailure("test bytes do not encode: \(error)")
    }
    return buffer
}
