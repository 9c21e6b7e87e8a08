import FanoutProtocol
import Logging

/// Where a run's workers come from: a hosts file, or worker processes started here for the run.
public enum WorkerSource: Sendable {
    /// The workers of a hosts file, reached with the coordinator's files in `tlsDirectory`.
    case hostsFile(path: String, tlsDirectory: String)
    /// `count` local workers with `pool` of `size` each, running `command`.
    case local(count: Int, pool: PoolKind, size: Int?, command: LocalWorkerCommand = .shippedWorker)
}

extension WorkerSource: CustomStringConvertible {
    public var description: String {
        switch self {
        case .hostsFile(let path, _): "workers of \(path)"
        case .local(let count, let pool, let size, _): "\(count) local worker\(count == 1 ? "" : "s"), \(pool) × \(size.map(String.init) ?? "default")"
        }
    }
}

extension Cluster {
    /// Connects to the workers `source` names (starting them first when local), runs `body`, then closes and,
    /// for local workers, stops them and removes their certificates.
    public static func withCluster<Result: Sendable>(
        from source: WorkerSource,
        configuration: ClusterConfiguration = ClusterConfiguration(),
        logger: Logger,
        _ body: (Cluster) async throws -> Result
    ) async throws -> Result {
        switch source {
        case .hostsFile(let path, let tlsDirectory):
            let hosts = try HostsFile.load(path: path)
            guard !hosts.workers.isEmpty else {
                throw ClusterError(.invalidHostsFile, "\(path): lists no workers")
            }
            return try await Cluster.withCluster(
                workers: hosts.workers,
                tls: TLSFiles.coordinator(directory: tlsDirectory),
                configuration: configuration,
                logger: logger,
                body
            )
        case .local(let count, let pool, let size, let command):
            return try await LocalWorkers.with(count: count, pool: pool, size: size, command: command) { local in
                try await Cluster.withCluster(workers: local.addresses, tls: local.tls, configuration: configuration, logger: logger, body)
            }
        }
    }
}
