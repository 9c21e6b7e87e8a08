@testable import FanoutCoordinator
import FanoutBuiltinJobs
import FanoutProtocol
import FanoutTestSupport
import Foundation
import Testing

@Suite("Recovery: reconnecting, crashing jobs, giving up")
struct RecoveryTests {
    /// Quick heartbeats and redials, so that each test's fault is found and mended in about a second.
    /// - Parameter heartbeatTimeout: short for the tests of frozen workers; the others take a long one, so that a
    ///   worker slowed by the rest of the suite loading both cores is not taken for frozen.
    private func configuration(
        events: JobEvents,
        giveUpAfter: Duration = .seconds(60),
        heartbeatTimeout: Duration = .milliseconds(800)
    ) -> ClusterConfiguration {
        ClusterConfiguration(
            heartbeatInterval: .milliseconds(100),
            heartbeatTimeout: heartbeatTimeout,
            reconnect: ReconnectPolicy(initialDelay: .milliseconds(50), maximumDelay: .milliseconds(200), giveUpAfter: giveUpAfter),
            observers: [events]
        )
    }

    @Test("a lone worker frozen past the heartbeat timeout is lost; its jobs wait, and run on it once it thaws and reconnects")
    func frozenAndThawed() async throws {
        let events = JobEvents()
        try await LocalCluster.with(workers: 1, size: 2, configuration: self.configuration(events: events)) { cluster, local in
            let address = local.addresses[0]
            let process = local.processIdentifiers[0]
            #expect(await events.waitFor(.connected(address, again: false)))
            // Long enough that the first job still runs when the worker freezes, however loaded the machine.
            let futures = try (0..<6).map { _ in try cluster.submit(Sleep(.seconds(2))) }
            await futures[0].erased.waitUntilRunning()
            kill(process, SIGSTOP)
            #expect(await events.waitFor(.lost(address)))
            #expect(futures.allSatisfy { $0.state != .failed }, "with its worker expected back, no job fails")
            kill(process, SIGCONT)
            #expect(await events.waitFor(.connected(address, again: true)))
            for future in futures {
                try await future.value
            }
            #expect(futures[0].erased.attempts == 2)
            let counts = cluster.reliability
            #expect(counts.workersLost == 1)
            #expect(counts.reconnections == 1)
            #expect(counts.jobsRetried >= 1)
        }
    }

    @Test("a job that crashes every worker it lands on fails on its own, naming the workers; other jobs finish")
    func crashesEveryWorker() async throws {
        let events = JobEvents()
        let prime: UInt64 = 1_000_003
        try await LocalCluster.with(
            workers: 4,
            size: 2,
            configuration: self.configuration(events: events, heartbeatTimeout: .seconds(10)),
            workerArguments: ["--crash-on-prime", "\(prime)"]
        ) { cluster, local in
            let killer = try cluster.submit(PrimeCheck(prime))
            let others = try (0..<20).map { _ in try cluster.submit(Sleep(.milliseconds(20))) }
            let error = await #expect(throws: JobError.self) { try await killer.value }
            guard case .crashedWorkers(let names)? = error?.reason else {
                Issue.record("expected the crash error, got \(String(describing: error))")
                return
            }
            #expect(names.count == 3)
            #expect(Set(names).count == 3, "each crash took a different worker: \(names)")
            #expect(Set(names).isSubset(of: local.addresses.map(\.description)))
            #expect(error?.description.contains("took down every worker it ran on") == true)
            for future in others {
                try await future.value
            }
            #expect(cluster.workers.count == 1)
            #expect(cluster.reliability.workersLost == 3)
        }
    }

    @Test("a job that crashes every child process it runs in fails on its own; the workers live on")
    func crashesEveryChild() async throws {
        let events = JobEvents()
        let prime: UInt64 = 1_000_003
        try await LocalCluster.with(
            workers: 2,
            pool: .processes,
            size: 1,
            configuration: self.configuration(events: events, heartbeatTimeout: .seconds(10)),
            workerArguments: ["--crash-on-prime", "\(prime)"]
        ) { cluster, local in
            let killer = try cluster.submit(PrimeCheck(prime))
            let others = try (0..<6).map { n in try cluster.submit(PrimeCheck(UInt64(n + 2))) }
            let error = await #expect(throws: JobError.self) { try await killer.value }
            guard case .crashedWorkers(let names)? = error?.reason else {
                Issue.record("expected the crash error, got \(String(describing: error))")
                return
            }
            #expect(names.count == 3)
            #expect(Set(names).isSubset(of: local.addresses.map(\.description)))
            #expect(try await others.asyncMap { try await $0.value } == [true, true, false, true, false, true])
            #expect(cluster.workers.count == 2)
            #expect(cluster.reliability.workersLost == 0)
            #expect(cluster.reliability.jobsRetried == 2)
        }
    }

    @Test("when no lost worker comes back in time, the jobs waiting for one fail, and so do new ones")
    func givesUp() async throws {
        let events = JobEvents()
        let configuration = self.configuration(events: events, giveUpAfter: .milliseconds(300))
        try await LocalCluster.with(workers: 1, size: 2, configuration: configuration) { cluster, local in
            let futures = try (0..<4).map { _ in try cluster.submit(Sleep(.seconds(30))) }
            await futures[0].erased.waitUntilRunning()
            kill(local.processIdentifiers[0], SIGKILL)
            for future in futures {
                let error = await #expect(throws: JobError.self) { try await future.value }
                #expect(error?.reason == .noWorkers)
            }
            let late = try cluster.submit(NoOp())
            let error = await #expect(throws: JobError.self) { try await late.value }
            #expect(error?.reason == .noWorkers)
        }
    }
}

extension Array {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self {
            results.append(try await transform(element))
        }
        return results
    }
}
