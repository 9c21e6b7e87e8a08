import FanoutJobs
import FanoutProtocol
import Foundation
import Logging
import NIOPosix

/// One local worker's start, as its task reports it.
///
/// Not `(Int, Result<(Process, Int), any Error>)`: Swift 6.3.1's release builds returned that tuple from a task
/// group's child with its `Int` overwritten, which sent every run to the wrong or no worker.
private struct WorkerStart: Sendable {
    var index: Int
    var process: Process?
    var port = 0
    var error: (any Error)?
}

/// Worker processes started on this machine for one run, on 127.0.0.1 with certificates made for the run in a
/// temporary folder: the coordinator's local mode, and the tests' cluster.
///
/// ``with(count:pool:size:command:logLevel:workerArguments:_:)`` stops every worker and removes the folder when its
/// body ends, however it ends.
public struct LocalWorkers: Sendable {
    /// Where each worker listens.
    public var addresses: [WorkerAddress]
    /// The coordinator's certificate files for these workers.
    public var tls: TLSFiles
    private let processes: [Process]

    /// The process ids of the workers, in the order of ``addresses``.
    public var processIdentifiers: [Int32] { self.processes.map(\.processIdentifier) }

    /// Starts `count` workers with `pool` of `size` each (and `workerArguments` added to their command lines),
    /// runs `body`, then stops them.
    public static func with<Result: Sendable>(
        count: Int,
        pool: PoolKind = .threads,
        size: Int? = nil,
        command: LocalWorkerCommand = .shippedWorker,
        logLevel: Logger.Level = .warning,
        workerArguments: [String] = [],
        _ body: (LocalWorkers) async throws -> Result
    ) async throws -> Result {
        let folder = try TemporaryFolder(prefix: "fanout-local")
        defer { folder.remove() }
        let certificates = CertificateDirectory(path: folder.path + "/certs")
        try certificates.initialize(hosts: [.ipv4([127, 0, 0, 1])])
        let workerDirectory = certificates.hostDirectory(for: .ipv4([127, 0, 0, 1]))

        var arguments = command.arguments + [
            "--listen", "127.0.0.1:0", "--tls-dir", workerDirectory, "--pool", pool.description,
            "--log-level", logLevel.rawValue,
        ]
        // This machine's own user started them: commands are theirs to run, unless the arguments say which.
        if !workerArguments.contains(where: { $0 == "--allow-exec" || $0.hasPrefix("--allow-exec=") }) {
            arguments.append("--allow-exec")
        }
        if let size { arguments += ["--size", "\(size)"] }
        arguments += workerArguments

        // All at once: each takes its start-up time, which need not add up.
        let started = await withTaskGroup(of: WorkerStart.self) { group in
            for index in 0..<count {
                group.addTask { [arguments] in
                    do {
                        let (process, port) = try await ListeningProcess.start(command.executable, arguments: arguments)
                        return WorkerStart(index: index, process: process, port: port)
                    } catch {
                        return WorkerStart(index: index, error: error)
                    }
                }
            }
            var started: [WorkerStart] = []
            for await start in group { started.append(start) }
            return started.sorted { $0.index < $1.index }.map { start in
                start.process.map { Swift.Result.success(($0, start.port)) } ?? .failure(start.error ?? CancellationError())
            }
        }
        let processes = started.compactMap { try? $0.get().0 }
        defer {
            for process in processes where process.isRunning { process.terminate() }
        }
        let addresses = try started.map { WorkerAddress(host: .ipv4([127, 0, 0, 1]), port: try $0.get().1) }
        let workers = LocalWorkers(addresses: addresses, tls: certificates.coordinatorFiles, processes: processes)
        let result: Swift.Result<Result, any Error>
        do {
            result = .success(try await body(workers))
        } catch {
            result = .failure(error)
        }
        await workers.stop()
        return try result.get()
    }

    /// Asks every worker to stop (SIGTERM: drain, then exit) and waits until they have.
    public func stop() async {
        await ListeningProcess.stop(self.processes)
    }

    /// `name` in the folder of this process's own binary, where `swift build` puts every product.
    public static func siblingExecutable(_ name: String) -> String {
        URL(fileURLWithPath: Self.ownExecutable).deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// This process's own binary.
    static var ownExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
