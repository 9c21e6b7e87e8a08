@testable import FanoutCoordinator
import FanoutBuiltinJobs
import FanoutProtocol
import FanoutTestSupport
import Foundation
import NIOSSL
import Testing

@Suite("Lost and unreachable workers")
struct ResilienceTests {
    @Test("a worker killed mid-run: its jobs finish elsewhere and every future resolves once", arguments: [PoolKind.threads, .processes])
    func workerKilled(pool: PoolKind) async throws {
        try await LocalCluster.with(workers: 2, pool: pool, size: 2) { cluster, local in
            // Jobs long enough that each one's started leaves before its result.
            let futures = try (0..<24).map { n in try cluster.submit(Fibonacci(UInt32(30 + n % 3))) }
            // Kill the first worker once it runs one of its jobs, with more of them still to come.
            let victim = local.addresses[0].description
            let target = try #require(futures.first { $0.worker == victim })
            await target.erased.waitUntilRunning()
            kill(local.processIdentifiers[0], SIGKILL)

            let expected: [UInt32: UInt64] = [30: 832_040, 31: 1_346_269, 32: 2_178_309]
            var resolutions = 0
            for try await future in cluster.asCompleted(futures) {
                resolutions += 1
                let n = 30 + UInt32(futures.firstIndex(of: future)! % 3)
                #expect(try await future.value == expected[n])
            }
            #expect(resolutions == futures.count)
            #expect(futures.contains { $0.erased.attempts == 2 }, "some job ran again after its worker died")
            #expect(cluster.workers.count == 1)
        }
    }

    @Test("a worker stopped with SIGTERM mid-run drains; the jobs it turns away run elsewhere, none fail")
    func workerDrains() async throws {
        try await LocalCluster.with(workers: 2, size: 2) { cluster, local in
            let futures = try (0..<30).map { _ in try cluster.submit(Sleep(.milliseconds(100))) }
            let victim = local.addresses[0].description
            let target = try #require(futures.first { $0.worker == victim })
            await target.erased.waitUntilRunning()
            kill(local.processIdentifiers[0], SIGTERM)
            for future in futures {
                try await future.value
            }
            #expect(futures.allSatisfy { $0.state == .finished })
            #expect(target.worker == victim && target.erased.attempts == 1, "the job running at SIGTERM reported back from its worker")
            #expect(futures.contains { $0.worker == local.addresses[1].description })
        }
    }

    @Test("a frozen worker misses its heartbeats: its jobs run elsewhere and every future resolves once")
    func workerFrozen() async throws {
        let configuration = ClusterConfiguration(heartbeatInterval: .milliseconds(200), heartbeatTimeout: .seconds(2))
        try await LocalCluster.with(workers: 2, size: 2, configuration: configuration) { cluster, local in
            // Long enough that a loaded machine still freezes the worker while they run.
            let futures = try (0..<8).map { _ in try cluster.submit(Sleep(.seconds(3))) }
            let victim = local.addresses[0].description
            let target = try #require(futures.first { $0.worker == victim })
            await target.erased.waitUntilRunning()
            // SIGSTOP freezes the worker with its connection open: only the missing pongs give it away.
            kill(local.processIdentifiers[0], SIGSTOP)
            defer { kill(local.processIdentifiers[0], SIGCONT) }
            var resolved = 0
            for try await future in cluster.asCompleted(futures) {
                try await future.value
                resolved += 1
            }
            #expect(resolved == futures.count)
            #expect(futures.filter { $0.worker == victim }.isEmpty, "every job ended up elsewhere")
            #expect(target.erased.attempts == 2)
            #expect(cluster.workers.map(\.address) == [local.addresses[1]])
        }
    }

    @Test("an unreachable worker is reported by name and the run goes on with the others")
    func unreachable() async throws {
        try await LocalWorkers.with(count: 1, logLevel: .error) { local in
            let dead = WorkerAddress(host: .ipv4([127, 0, 0, 1]), port: 1)
            try await Cluster.withCluster(workers: local.addresses + [dead], tls: local.tls, logger: LocalCluster.logger) { cluster in
                #expect(cluster.workers.map(\.address) == local.addresses)
                #expect(cluster.unreachable.map(\.address) == [dead])
                #expect(cluster.unreachable.first?.description.contains("127.0.0.1:1") == true)
                let value = try await cluster.submit(Fibonacci(12)).value
                #expect(value == 144)
            }
        }
    }

    @Test("with no worker reachable the run fails, naming each worker and why")
    func noneReachable() async throws {
        let cluster = try TestCluster()
        let dead = [WorkerAddress(host: .ipv4([127, 0, 0, 1]), port: 1), WorkerAddress(host: .ipv4([127, 0, 0, 1]), port: 2)]
        let error = await #expect(throws: ClusterError.self) {
            try await Cluster.withCluster(workers: dead, tls: cluster.certificates.coordinatorFiles, logger: LocalCluster.logger) { _ in }
        }
        #expect(error?.code == .unreachable)
        #expect(error?.message.contains("127.0.0.1:1") == true)
        #expect(error?.message.contains("127.0.0.1:2") == true)
        #expect(error?.message.lowercased().contains("refused") == true, "\(String(describing: error))")
    }

    @Test("an empty list of workers is an error, not a wait")
    func noWorkersGiven() async throws {
        let cluster = try TestCluster()
        let error = await #expect(throws: ClusterError.self) {
            try await Cluster.withCluster(workers: [], tls: cluster.certificates.coordinatorFiles, logger: LocalCluster.logger) { _ in }
        }
        #expect(error?.code == .noWorkers)
        #expect(error?.message.contains("no workers") == true)
    }

    @Test("a worker speaking another protocol version is refused with both versions and its address")
    func versionMismatch() async throws {
        let clusters = try MutualTLSTests.Clusters()
        var future = TLSTestServer.workerHello
        future.protocolVersion = ProtocolVersion(rawValue: ProtocolVersion.current.rawValue + 1)
        let server = try await TLSTestServer.start(context: clusters.serverContext(for: "127.0.0.1"), answer: future)
        async let serving: Void = server.run()
        let address = WorkerAddress(host: .ipv4([127, 0, 0, 1]), port: server.port)
        let error = await #expect(throws: ClusterError.self) {
            try await Cluster.withCluster(workers: [address], tls: clusters.cluster.coordinatorFiles, logger: LocalCluster.logger) { _ in }
        }
        #expect(error?.code == .unreachable)
        let message = error?.message ?? ""
        #expect(message.contains("version \(future.protocolVersion)"), "\(message)")
        #expect(message.contains("version \(ProtocolVersion.current)"), "\(message)")
        #expect(message.contains(address.description), "\(message)")
        try await server.channel.channel.close()
        try await serving
    }
}
