import FanoutProtocol
import NIOCore
import Testing

/// One message per layout the wire has, with its bytes written out by hand from docs/PROTOCOL.md.
struct GoldenFrame: Sendable, CustomTestStringConvertible {
    var name: String
    var message: Message
    var hex: String

    var testDescription: String { self.name }

    static let all: [GoldenFrame] = [
        GoldenFrame(
            name: "hello from a coordinator",
            message: .hello(.coordinator(softwareVersion: "0.1.0", hostName: "c1")),
            hex: "00000014 01 00  464E4F54 0003 01  0005 302E312E30  0002 6331"
        ),
        GoldenFrame(
            name: "hello from a worker",
            message: .hello(
                .worker(
                    softwareVersion: "0.1.0",
                    hostName: "w1",
                    capabilities: WorkerCapabilities(poolKind: .processes, slots: 4, cores: 2)
                )
            ),
            hex: "00000019 01 00  464E4F54 0003 02  0005 302E312E30  0002 7731  02 0004 0002"
        ),
        GoldenFrame(
            name: "submit prime check",
            message: .submit(
                Submit(
                    jobID: JobID(0x0102_0304_0506_0708),
                    attempt: 1,
                    timeoutNanoseconds: 5_000_000_000,
                    spec: .primeCheck(n: 97, method: .millerRabin)
                )
            ),
            hex: "0000001E 02 00  0102030405060708 0001 01 000000012A05F200  0000000000000061 03"
        ),
        GoldenFrame(
            name: "submit prime check, the seed's method",
            message: .submit(Submit(jobID: JobID(1), spec: .primeCheck(n: 2, method: .trialDivisionToN))),
            hex: "0000001E 02 00  0000000000000001 0001 01 0000000000000000  0000000000000002 01"
        ),
        GoldenFrame(
            name: "submit fibonacci",
            message: .submit(Submit(jobID: JobID(2), attempt: 3, spec: .fibonacci(n: 30))),
            hex: "00000019 02 00  0000000000000002 0003 02 0000000000000000  0000001E"
        ),
        GoldenFrame(
            name: "submit flag download",
            message: .submit(
                Submit(jobID: JobID(3), spec: .flagDownload(country: "Chad", url: "http://f/td.svg"))
            ),
            hex: """
                0000002C 02 00  0000000000000003 0001 03 0000000000000000
                0004 43686164  000F 687474703A2F2F662F74642E737667
                """
        ),
        GoldenFrame(
            name: "submit sleep",
            message: .submit(Submit(jobID: JobID(4), spec: .sleep(nanoseconds: 1_000_000))),
            hex: "0000001D 02 00  0000000000000004 0001 04 0000000000000000  00000000000F4240"
        ),
        GoldenFrame(
            name: "submit noop",
            message: .submit(Submit(jobID: JobID(5), spec: .noop)),
            hex: "00000015 02 00  0000000000000005 0001 05 0000000000000000"
        ),
        GoldenFrame(
            name: "submit batch",
            message: .submit(
                Submit(jobID: JobID(6), spec: .batch([.primeCheck(n: 7, method: .trialDivisionToSquareRoot), .noop]))
            ),
            hex: "00000024 02 00  0000000000000006 0001 06 0000000000000000  00000002  01 0000000000000007 02  05"
        ),
        GoldenFrame(
            name: "started",
            message: .started(Started(jobID: JobID(7), attempt: 2, slot: 3)),
            hex: "0000000E 03 00  0000000000000007 0002 0003"
        ),
        GoldenFrame(
            name: "result ok, prime check",
            message: .result(
                JobResult(
                    jobID: JobID(7),
                    attempt: 2,
                    outcome: .ok(.primeCheck(isPrime: true)),
                    slot: 3,
                    queueNanoseconds: 1000,
                    runNanoseconds: 2000,
                    startedAt: 1_764_000_000_123_456_789
                )
            ),
            hex: "00000029 04 00  0000000000000007 0002 00 0003 00000000000003E8 00000000000007D0 187AFCA76F25CD15  01 01"
        ),
        GoldenFrame(
            name: "result ok, fibonacci",
            message: .result(JobResult(jobID: JobID(8), attempt: 1, outcome: .ok(.fibonacci(832_040)), slot: 0)),
            hex: "00000030 04 00  0000000000000008 0001 00 0000 0000000000000000 0000000000000000 0000000000000000  02 00000000000CB228"
        ),
        GoldenFrame(
            name: "result ok, flag download",
            message: .result(
                JobResult(
                    jobID: JobID(9),
                    attempt: 1,
                    outcome: .ok(.flagDownload(ByteBuffer(string: "<svg/>"))),
                    slot: 1
                )
            ),
            hex: "00000032 04 00  0000000000000009 0001 00 0001 0000000000000000 0000000000000000 0000000000000000  03 00000006 3C7376672F3E"
        ),
        GoldenFrame(
            name: "result ok, sleep",
            message: .result(JobResult(jobID: JobID(12), attempt: 1, outcome: .ok(.sleep), slot: 0)),
            hex: "00000028 04 00  000000000000000C 0001 00 0000 0000000000000000 0000000000000000 0000000000000000  04"
        ),
        GoldenFrame(
            name: "result ok, noop",
            message: .result(JobResult(jobID: JobID(13), attempt: 1, outcome: .ok(.noop), slot: 0)),
            hex: "00000028 04 00  000000000000000D 0001 00 0000 0000000000000000 0000000000000000 0000000000000000  05"
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
            name: "result ok, batch",
            message: .result(
                JobResult(
                    jobID: JobID(6),
                    attempt: 1,
                    outcome: .ok(
                        .batch([.ok(.primeCheck(isPrime: true)), .failed(JobFailure(code: .invalidJob, message: "no")), .cancelled])
                    ),
                    slot: 0
                )
            ),
            hex: """
                0000003B 04 00  0000000000000006 0001 00 0000 0000000000000000 0000000000000000 0000000000000000
                06 00000003  00 01 01  01 0105 00000000 0002 6E6F  02
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
