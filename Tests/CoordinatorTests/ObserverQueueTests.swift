@testable import FanoutCoordinator
import FanoutBuiltinJobs
import FanoutLocking
import FanoutProtocol
import Foundation
import Testing

@Suite("Observer queue")
struct ObserverQueueTests {
    /// Writes down what it hears, one event at a time (the protocol's default for batches).
    final class OneByOne: JobObserver {
        let heard = Locked<[String]>([])
        func jobSubmitted(_ job: AnyJobFuture) { self.heard.withLock { $0.append("submitted \(job.id.rawValue)") } }
        func jobDone(_ record: JobRecord) { self.heard.withLock { $0.append("done \(record.job.rawValue)") } }
        func workerLost(_ address: WorkerAddress, reason: String) { self.heard.withLock { $0.append("lost") } }
        func clusterStopped(_ reliability: ReliabilityCounts) { self.heard.withLock { $0.append("stopped") } }
    }

    /// Writes down the batches it is handed.
    final class Batches: JobObserver {
        let heard = Locked<[String]>([])
        func jobDone(_ record: JobRecord) { Issue.record("a batch observer was handed one record") }
        func jobsSubmitted(_ jobs: ArraySlice<AnyJobFuture>) { self.heard.withLock { $0.append("submitted \(jobs.map(\.id.rawValue))") } }
        func jobsDone(_ records: ArraySlice<JobRecord>) { self.heard.withLock { $0.append("done \(records.map(\.job.rawValue))") } }
        func workerLost(_ address: WorkerAddress, reason: String) { self.heard.withLock { $0.append("lost") } }
    }

    @Test("every event posted before finish reaches every observer in order; runs of submits and of ends come as batches")
    func order() async {
        let oneByOne = OneByOne()
        let batches = Batches()
        let queue = ObserverQueue([oneByOne, batches])
        let futures = (1...4).map { AnyJobFuture.make(id: JobID(UInt64($0)), kind: NoOp.kind) }
        for future in futures { _ = future.resolveCancelled() }
        queue.post(.submitted(futures[0]))
        queue.post(.submitted(futures[1]))
        queue.post(.done(futures[0], input: ""))
        queue.post(.lost(WorkerAddress(host: .ipv4([10, 0, 0, 1])), reason: "gone"))
        queue.post(.done(futures[1], input: ""))
        queue.post(.submitted(futures[2]))
        await queue.finish()
        queue.post(.submitted(futures[3]))

        #expect(
            oneByOne.heard.withLock { $0 } == ["submitted 1", "submitted 2", "done 1", "lost", "done 2", "submitted 3"],
            "in order, and nothing after finish"
        )
        // However the task took them, batch boundaries never reorder or merge across kinds of event.
        let flat = batches.heard.withLock { $0 }.flatMap { line -> [String] in
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[1].hasPrefix("[") else { return [line] }
            let ids = parts[1].dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            return ids.map { "\(parts[0]) \($0)" }
        }
        #expect(flat == ["submitted 1", "submitted 2", "done 1", "lost", "done 2", "submitted 3"])
    }
}
