import FanoutProtocol
import Foundation
import Logging
import NIOPosix

/// Worker processes started on this machine for one run, on 127.0.0.1 with certificates made for the run in a
/// temporary folder: the coordinator's local mode, and the tests' cluster.
///
/// ``with(count:pool:size:workerExecutable:logger:_:)`` stops every worker and removes the folder when its
/// body ends, however it ends.
public struct LocalWorkers: Sendable {
    /// Where each worker listens.
    public var addresses: [WorkerAddress]
    /// The coordinator's certificate files for these workers.
    public var tls: TLSFiles
    private let processes: [Process]

    /// The process ids of the workers, in the order of ``addresses``.
    public var processIdentifiers: [Int32] { self.processes.map(\.processIdentifier) }

    /// Starts `count` workers with `pool` of `size` each, runs `body`, then stops them.
    public static func with<Result: Sendable>(
        count: Int,
        pool: PoolKind = .threads,
        size: Int? = nil,
        workerExecutable: String = LocalWorkers.siblingExecutable("worker"),
        logLevel: Logger.Level = .warning,
        _ body: (LocalWorkers) async throws -> Result
    ) async throws -> Result {
        let folder = try TemporaryFolder(prefix: "fanout-local")
        defer { folder.remove() }
        let certificates = CertificateDirectory(path: folder.path + "/certs")
        try certificates.initialize(hosts: [.ipv4([127, 0, 0, 1])])
        let workerDirectory = certificates.hostDirectory(for: .ipv4([127, 0, 0, 1]))

        var processes: [Process] = []
        var addresses: [WorkerAddress] = []
        defer {
            for process in processes where process.isRunning { process.terminate() }
        }
        for _ in 0..<count {
            var arguments = [
                "--listen", "127.0.0.1:0", "--tls-dir", workerDirectory, "--pool", pool.description,
                "--log-level", logLevel.rawValue,
            ]
            if let size { arguments += ["--size", "\(size)"] }
            let (process, port) = try await Self.start(workerExecutable, arguments: arguments)
            processes.append(process)
            addresses.append(WorkerAddress(host: .ipv4([127, 0, 0, 1]), port: port))
        }
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
        for process in self.processes where process.isRunning {
            process.terminate()
        }
        let processes = self.processes
        _ = try? await NIOThreadPool.singleton.runIfActive {
            for process in processes { process.waitUntilExit() }
        }
    }

    /// `name` in the folder of this process's own binary, where `swift build` puts every product.
    public static func siblingExecutable(_ name: String) -> String {
        let own = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: own).deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Starts `executable` and waits for its `listening on HOST:PORT` line.
    static func start(_ executable: String, arguments: [String]) async throws -> (Process, Int) {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw ClusterError("cannot start a local worker: \(executable) is not an executable (run `swift build` first)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let line = try await NIOThreadPool.singleton.runIfActive { () -> String in
            var bytes: [UInt8] = []
            while true {
                let chunk = output.fileHandleForReading.readData(ofLength: 1)
                guard let byte = chunk.first, byte != UInt8(ascii: "\n") else { break }
                bytes.append(byte)
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        guard line.hasPrefix("listening on "), let port = line.split(separator: ":").last.flatMap({ Int($0) }) else {
            process.terminate()
            throw ClusterError("local worker \(executable) did not start: it printed \"\(line)\" instead of its address")
        }
        return (process, port)
    }
}
