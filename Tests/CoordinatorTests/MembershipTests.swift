@testable import FanoutCoordinator
import FanoutBuiltinJobs
import FanoutJobs
import FanoutProtocol
import FanoutTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Workers joining and leaving a run")
struct MembershipTests {
    @Test("a worker added mid-run gets jobs; one taken out gets none after, finishes what it holds, and each job resolves once")
    func joinAndLeave() async throws {
        let folder = try TemporaryDirectory()
        let gate = try ProcessProbe.fifo(in: folder)
        let events = JobEvents()
        let configuration = ClusterConfiguration(prefetch: 2, maximumPrefetch: 2, observers: [events])
        try await LocalWorkers.with(count: 2, pool: .threads, size: 1, logLevel: .error) { local in
            let (first, second) = (local.addresses[0], local.addresses[1])
            try await Cluster.withCluster(workers: [first], tls: local.tls, configuration: configuration, logger: LocalCluster.logger) { cluster in
                // The first worker's one slot reads the FIFO until the test writes to it; it is sent 2 more.
                let blocker = try cluster.submit(Exec(["cat", CommandArgument(gate)]))
                await blocker.erased.waitUntilRunning()
                let held = try (0..<2).map { _ in try cluster.submit(NoOp()) }
                let queued = try (0..<2).map { _ in try cluster.submit(NoOp()) }

                #expect(cluster.setWorkers([first, second]) == WorkerChanges(joined: [second]))
                #expect(await events.waitFor(.connected(second, again: false)))
                #expect(cluster.setWorkers([first, second]).isEmpty, "the same list again changes nothing")
                for job in queued { try await job.value }
                #expect(queued.allSatisfy { $0.erased.worker == second.description }, "the worker that joined took the queued jobs")

                #expect(cluster.setWorkers([second]) == WorkerChanges(left: [first]))
                let after = try (0..<6).map { _ in try cluster.submit(NoOp()) }
                for job in after { try await job.value }
                #expect(after.allSatisfy { $0.erased.worker == second.description }, "\(after.map(\.erased.worker))")

                await ProcessProbe.write("done\n", to: gate)
                #expect(try await blocker.value.exitStatus == 0)
                for job in held { try await job.value }
                #expect(([blocker.erased] + held.map(\.erased)).allSatisfy { $0.worker == first.description }, "the worker taken out finished what it held")
            }
        }
        var records: [JobID: Int] = [:]
        for await record in events.done { records[record.job, default: 0] += 1 }
        #expect(records.count == 11)
        #expect(records.values.allSatisfy { $0 == 1 }, "\(records)")
    }

    @Test("a worker replaced by one still connecting leaves its queue waiting for the new one, not failed")
    func replacedWhileJoining() async throws {
        let folder = try TemporaryDirectory()
        let gate = try ProcessProbe.fifo(in: folder)
        let log = LogRecorder()
        let configuration = ClusterConfiguration(prefetch: 1, maximumPrefetch: 1, connectTimeout: .seconds(60))
        try await LocalWorkers.with(count: 2, pool: .threads, size: 1, logLevel: .error) { local in
            let (first, second) = (local.addresses[0], local.addresses[1])
            try await Cluster.withCluster(workers: [first], tls: local.tls, configuration: configuration, logger: log.logger(level: .debug)) { cluster in
                let blocker = try cluster.submit(Exec(["cat", CommandArgument(gate)]))
                await blocker.erased.waitUntilRunning()
                let queued = try (0..<4).map { _ in try cluster.submit(NoOp()) }
                // The new worker cannot finish its handshake until it is let go on.
                kill(local.processIdentifiers[1], SIGSTOP)
                #expect(cluster.setWorkers([second]) == WorkerChanges(joined: [second], left: [first]))
                await ProcessProbe.write("done\n", to: gate)
                _ = try await blocker.value
                // The first worker has finished what it held, and left.
                await log.waitFor("disconnected")
                #expect(queued.contains { $0.erased.state == .pending }, "jobs wait for the worker still joining")
                kill(local.processIdentifiers[1], SIGCONT)
                for job in queued { try await job.value }
            }
        }
    }
}
