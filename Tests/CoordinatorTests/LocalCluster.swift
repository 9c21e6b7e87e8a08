@testable import FanoutCoordinator
import FanoutProtocol
import Foundation
import Logging

/// Real `worker` processes on loopback and a cluster connected to them, for the length of a test.
enum LocalCluster {
    static let logger: Logger = {
        guard let level = ProcessInfo.processInfo.environment["FANOUT_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) else {
            return Logger(label: "fanout.test", factory: { _ in SwiftLogNoOpLogHandler() })
        }
        var logger = Logger(label: "fanout.test", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = level
        return logger
    }()

    static func with<Result: Sendable>(
        workers: Int = 2,
        pool: PoolKind = .threads,
        size: Int = 2,
        configuration: ClusterConfiguration = ClusterConfiguration(heartbeatInterval: .milliseconds(200), heartbeatTimeout: .seconds(2)),
        _ body: (Cluster, LocalWorkers) async throws -> Result
    ) async throws -> Result {
        try await LocalWorkers.with(count: workers, pool: pool, size: size, logLevel: .error) { local in
            try await Cluster.withCluster(workers: local.addresses, tls: local.tls, configuration: configuration, logger: Self.logger) { cluster in
                try await body(cluster, local)
            }
        }
    }
}
