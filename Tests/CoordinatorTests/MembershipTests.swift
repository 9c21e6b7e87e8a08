@testable import FanoutCoordinator
import FanoutBuiltinJobs
import FanoutJobs
import FanoutProtocol
import FanoutTestSupport
import Testing

@Suite("Workers joining and leaving a run")
struct MembershipTests {
    @Test("a worker added mid-run gets jobs; one taken out gets none after, its unstarted jobs run elsewhere, and each job resolves once")
    func joinAndLeave() async throws {
        let folder = try TemporaryDirectory()
        let gate = try ProcessProbe.fifo(in: folder)
        let events = JobEvents()
        let configuration = ClusterConfiguration(prefetch: 2, maximumPrefetch: 2, observers: [events])
        try await LocalWorkers.with(count: 2, pool: .threads, size: 1, logLevel: .error) { local in
            let (first, second) = (local.addresses[0], local.addresses[1])
            try await Cluster.withCluster(workers: [first], tls: local.tls, configuration: configuration, logger: LocalCluster.logger) { cluster in
                // The first worker's one slot reads the FIFO until the test writes to it; it also holds 2 more.
                let blocker = try cluster.submit(Exec(["cat", CommandArgument(gate)]))
                await blocker.erased.waitUntilRunning()
                let held = try (0..<3).map { _ in try cluster.submit(NoOp()) }

                let joined = cluster.setWorkers([first, second])
                #expect(joined == WorkerChanges(joined: [second]))
                #expect(await events.waitFor(.connected(second, again: false)))
                #expect(cluster.setWorkers([first, second]).isEmpty, "the same list again changes nothing")

                let left = cluster.setWorkers([second])
                #expect(left == WorkerChanges(left: [first]))
                let after = try (0..<6).map { _ in try cluster.submit(NoOp()) }
                // The first worker's slot frees up now; had it kept the jobs it held, it would run them next.
                await ProcessProbe.write("done\n", to: gate)
                let output = try await blocker.value
                for job in held + after { try await job.value }
                #expect((held + after).allSatisfy { $0.erased.worker == second.description }, "\((held + after).map(\.erased.worker))")
                #expect(output.exitStatus == 0)
                #expect(blocker.erased.worker == first.description, "a job running on a worker taken out finishes there")
            }
        }
        var records: [JobID: Int] = [:]
        for await record in events.done { records[record.job, default: 0] += 1 }
        #expect(records.count == 10)
        #expect(records.values.allSatisfy { $0 == 1 }, "\(records)")
    }
}
