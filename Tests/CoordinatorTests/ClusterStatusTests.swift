@testable import FanoutCoordinator
import FanoutBuiltinJobs
import FanoutProtocol
import Testing

@Suite("Cluster status")
struct ClusterStatusTests {
    @Test("every worker ready with its slots, the jobs each holds and runs, the queue, and each heartbeat")
    func running() async throws {
        try await LocalCluster.with(workers: 2, size: 1, configuration: ClusterConfiguration(prefetch: 0)) { cluster, local in
            // Commands that run until the cluster stops them, whatever the machine's load.
            let sleeps = try (0..<2).map { _ in try cluster.submit(Exec(["sleep", "600"])) }
            let queued = try cluster.submit(NoOp())
            for sleep in sleeps { await sleep.erased.waitUntilRunning() }
            _ = await cluster.ping()
            let status = cluster.status
            #expect(status.workers.map(\.address) == local.addresses)
            for worker in status.workers {
                #expect(worker.connection == .ready)
                #expect(worker.worker?.capabilities.slots == 1)
                #expect(worker.jobsHeld == 1 && worker.jobsRunning == 1)
                #expect(worker.roundTrip != nil && worker.clockOffset != nil)
            }
            #expect(status.jobsQueued == 1 && status.jobsHeld == 2 && status.jobsRunning == 2)
            #expect(queued.state == .pending)
            await cluster.stop(grace: .zero)
            for sleep in sleeps {
                await #expect(throws: JobError.self) { try await sleep.value }
            }
            #expect(cluster.status.jobsQueued == 0, "the queued job was failed with the run")
        }
    }

    @Test("a worker's connection reads connecting, ready, lost, reconnecting, ready again, draining, then closed")
    func connectionNames() {
        var link = WorkerLink(address: WorkerAddress(host: .ipv4([127, 0, 0, 1])), joinedMidRun: false)
        var seen = [link.connection]
        _ = link.registered()
        seen.append(link.connection)
        _ = link.lost(at: .now, policy: WorkerLinkTests.policy, stopped: false)
        seen.append(link.connection)
        _ = link.dialAgain()
        seen.append(link.connection)
        _ = link.registered()
        seen.append(link.connection)
        _ = link.retire()
        seen.append(link.connection)
        _ = link.lost(at: .now, policy: WorkerLinkTests.policy, stopped: false)
        seen.append(link.connection)
        #expect(seen == [.connecting, .ready, .lost, .reconnecting, .ready, .draining, .closed])
    }
}
