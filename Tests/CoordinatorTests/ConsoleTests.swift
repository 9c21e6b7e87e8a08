@testable import FanoutCoordinator
import FanoutLocking
import FanoutBuiltinJobs
import FanoutProtocol
import NIOCore
import Testing

@Suite("Progress")
struct ConsoleTests {
    final class Capture: Sendable {
        private let text = Locked("")
        var all: String { self.text.withLock { $0 } }
        @Sendable func write(_ piece: String) { self.text.withLock { $0 += piece } }
    }

    static func finishedJob(_ id: UInt64, failed: Bool = false) -> (AnyJobFuture, JobRecord) {
        let future = AnyJobFuture.make(id: JobID(id), kind: NoOp.kind)
        if failed {
            future.resolve(.failure(JobError(job: JobID(id), kind: NoOp.kind, worker: nil, attempts: 1, reason: .noWorkers)))
        } else {
            future.resolve(.output(ByteBuffer()))
        }
        return (future, JobRecord(future, input: "-"))
    }

    static func run(on console: Console, jobs: Int, failing: Set<UInt64> = []) {
        let finished = (0..<UInt64(jobs)).map { Self.finishedJob($0, failed: failing.contains($0)) }
        for (future, _) in finished { console.jobSubmitted(future) }
        for (index, (_, record)) in finished.enumerated() {
            console.jobDone(record)
            console.line("report \(index)")
        }
        console.finish()
    }

    @Test("off a terminal: plain progress lines, no control characters, the last one complete")
    func plain() {
        let (output, errors) = (Capture(), Capture())
        let console = Console(isTerminal: false, plainInterval: .seconds(3600), output: output.write, errors: errors.write)
        Self.run(on: console, jobs: 5, failing: [3])
        let lines = errors.all.split(separator: "\n")
        #expect(lines.first?.hasPrefix("1/5 done, 0 failed, ") == true)
        #expect(lines.last?.hasPrefix("5/5 done, 1 failed, ") == true)
        #expect(lines.count == 2, "at most one line per interval, and the last: \(lines)")
        #expect(errors.all.unicodeScalars.allSatisfy { $0 == "\n" || !$0.properties.isDefaultIgnorableCodePoint && $0.value >= 0x20 })
        #expect(output.all == (0..<5).map { "report \($0)\n" }.joined())
    }

    @Test("on a terminal: one line redrawn in place, cleared around each report line")
    func terminal() {
        let (output, errors) = (Capture(), Capture())
        let console = Console(isTerminal: true, output: output.write, errors: errors.write)
        Self.run(on: console, jobs: 3)
        #expect(errors.all.hasPrefix("\r\u{1B}[K1/3 done, 0 failed, "))
        #expect(errors.all.contains("\r\u{1B}[K"))
        #expect(errors.all.contains("3/3 done, 0 failed, "))
        #expect(errors.all.hasSuffix("\n"))
        #expect(!errors.all.dropLast().contains("\n"), "the progress stays on one line")
        #expect(output.all == "report 0\nreport 1\nreport 2\n")
    }

    @Test("the time left is given while jobs remain")
    func timeLeft() {
        let errors = Capture()
        let console = Console(isTerminal: false, plainInterval: .zero, output: { _ in }, errors: errors.write)
        let jobs = (0..<4).map { Self.finishedJob($0) }
        for (future, _) in jobs { console.jobSubmitted(future) }
        console.jobDone(jobs[0].1)
        #expect(errors.all.contains("s left"))
        for (_, record) in jobs.dropFirst() { console.jobDone(record) }
        #expect(!errors.all.split(separator: "\n").last!.contains("left"))
    }
}
