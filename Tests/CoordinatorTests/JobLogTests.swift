@testable import FanoutCoordinator
import FanoutLocking
import FanoutBuiltinJobs
import FanoutProtocol
import NIOCore
import FanoutTestSupport
import Foundation
import Testing

@Suite("Job log")
struct JobLogTests {
    @Test("every job is recorded once when done, with its worker and times in order")
    func records() async throws {
        let records = Recorder()
        let configuration = ClusterConfiguration(prefetch: 0, observers: [records])
        let (ids, cancelled, workers) = try await LocalCluster.with(workers: 2, size: 1, configuration: configuration) { cluster, local in
            let fine = try (0..<6).map { try cluster.submit(Fibonacci(UInt32(15 + $0))) }
            let failing = try cluster.submit(FlagDownload(country: "X", url: "ftp://x/y.svg"))
            let slow = try cluster.submit(Sleep(.milliseconds(300)))
            let cancelled = try cluster.submit(NoOp())
            #expect(cancelled.cancel())
            _ = await cluster.wait((fine.map(\.erased) + [failing.erased, slow.erased]))
            return (Set(fine.map(\.id) + [failing.id, slow.id, cancelled.id]), cancelled.id, Set(local.addresses.map(\.description)))
        }
        let all = records.records
        #expect(all.count == ids.count)
        #expect(Set(all.map(\.job)) == ids)
        for record in all {
            let ended = try #require(record.times.ended)
            #expect(record.times.submitted <= ended)
            if record.job == cancelled {
                #expect(record.state == .cancelled)
                #expect(record.times.started == nil)
                continue
            }
            let sent = try #require(record.times.sent)
            #expect(record.times.submitted <= sent && sent <= ended, "\(record)")
            if let started = record.times.started {
                #expect(sent <= started && started <= ended, "\(record)")
            }
            // The worker's start, mapped onto this clock: within the round trip, give or take the mapping's own
            // bound. Local workers share this clock, so with no pong yet the reading is exact.
            let timing = try #require(record.timing)
            let mapped = try #require(timing.started)
            let bound = UInt64(timing.startedBound?.wireNanoseconds ?? 0)
            #expect(mapped + bound >= sent && mapped <= ended + bound, "\(record)")
            #expect(record.worker.map(workers.contains) == true)
            #expect(record.timing != nil)
            #expect(record.networkNanoseconds != nil)
        }
        let failed = try #require(all.first { $0.kind == FlagDownload.kind })
        #expect(failed.state == .failed)
        #expect(failed.error?.contains("ftp://x/y.svg") == true)
        #expect(all.filter { $0.kind == Fibonacci.kind }.map(\.input).sorted() == (15..<21).map { "\($0)" })
    }

    @Test("the file has a header and one line of every column per job; tabs in a field cannot shift columns")
    func file() async throws {
        let directory = try TemporaryDirectory()
        let log = try JobLog(path: directory.file("jobs.tsv"))
        let future = AnyJobFuture.make(id: JobID(7), kind: FlagDownload.kind)
        future.assign(to: "10.0.0.1:7420")
        future.markRunning()
        future.resolve(
            .failure(JobError(job: JobID(7), kind: FlagDownload.kind, worker: "10.0.0.1:7420", attempts: 1, reason: .failed(JobFailure(code: .httpStatus, detail: 404, message: "HTTP\t404\nNot Found")))),
            timing: JobTiming(queued: .milliseconds(1), ran: .milliseconds(2), slot: 3)
        )
        log.jobDone(JobRecord(future, input: "Tab\tLand"))
        log.close()
        let lines = try String(contentsOfFile: directory.file("jobs.tsv"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].split(separator: "\t").map(String.init) == JobLog.columns)
        let fields = lines[1].split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        #expect(fields.count == JobLog.columns.count)
        #expect(fields[0] == "7")
        #expect(fields[2] == "Tab Land")
        #expect(fields[3] == "10.0.0.1:7420")
        #expect(fields[4] == "3")
        #expect(fields[9] == "0.001000")
        #expect(fields[10] == "0.002000")
        #expect(fields[12] == "failed")
        #expect(fields[13].contains("HTTP 404 Not Found"))
    }
}

/// Keeps every record it hears of.
final class Recorder: JobObserver {
    private let state = Locked<[JobRecord]>([])
    var records: [JobRecord] { self.state.withLock { $0 } }
    func jobDone(_ record: JobRecord) { self.state.withLock { $0.append(record) } }
}
