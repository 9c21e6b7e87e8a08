@testable import FanoutCoordinator
import FanoutProtocol
import FanoutTestSupport
import Logging

/// Real `worker` processes on loopback and a cluster connected to them, for the length of a test.
enum LocalCluster {
    static let logger = testLogger

    static func with<Result: Sendable>(
        workers: Int = 2,
        pool: PoolKind = .threads,
        size: Int = 2,
        configuration: ClusterConfiguration = ClusterConfiguration(),
        workerArguments: [String] = [],
        _ body: (Cluster, LocalWorkers) async throws -> Result
    ) async throws -> Result {
        try await LocalWorkers.with(count: workers, pool: pool, size: size, logLevel: .error, workerArguments: workerArguments) { local in
            try await Cluster.withCluster(workers: local.addresses, tls: local.tls, configuration: configuration, logger: Self.logger) { cluster in
                try await body(cluster, local)
            }
        }
    }
}
