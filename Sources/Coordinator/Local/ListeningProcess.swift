import Foundation
import NIOPosix

/// Starting a server binary that prints `listening on HOST:PORT` once bound, and stopping it: the local workers,
/// the flag server, the benchmarks' echo server.
public enum ListeningProcess {
    /// Starts `executable` and waits for its `listening on HOST:PORT` line; returns the process and the port.
    ///
    /// The process is told to stop when its standard input closes, and gets a pipe this process never writes to:
    /// if this process dies, even by SIGKILL, the pipe closes and the server stops, rather than live on orphaned.
    ///
    /// - Throws: a ``ClusterError`` with code `processDidNotStart` when it cannot be started or does not say
    ///   where it listens.
    public static func start(_ executable: String, arguments: [String]) async throws -> (Process, Int) {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw ClusterError(.processDidNotStart, "cannot start \(executable): it is not an executable (run `swift build` first)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments + ["--stop-when-stdin-closes"]
        // Held by the process object, and so open, for as long as the server is ours.
        process.standardInput = Pipe()
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let line: String
        do {
            // Reading blocks, so it happens on a thread of NIO's pool rather than the concurrency pool.
            line = try await NIOThreadPool.singleton.runIfActive { () -> String in
                var bytes: [UInt8] = []
                while true {
                    let chunk = output.fileHandleForReading.readData(ofLength: 1)
                    guard let byte = chunk.first, byte != UInt8(ascii: "\n") else { break }
                    bytes.append(byte)
                }
                return String(decoding: bytes, as: UTF8.self)
            }
        } catch {
            // Cancelled before it said where it listens: it is nobody's to stop but ours.
            process.terminate()
            throw error
        }
        guard line.hasPrefix("listening on "), let port = line.split(separator: ":").last.flatMap({ Int($0) }) else {
            process.terminate()
            let name = URL(fileURLWithPath: executable).lastPathComponent
            throw ClusterError(.processDidNotStart, "\(name) did not start (see its message above)\(line.isEmpty ? "" : ": it printed \"\(line)\"")")
        }
        return (process, port)
    }

    /// Sends SIGTERM to each process still running and waits until all have exited.
    ///
    /// Runs to the end even when the calling task is cancelled, as on Ctrl-C: leaving servers behind is worse
    /// than waiting for them.
    public static func stop(_ processes: [Process]) async {
        for process in processes where process.isRunning {
            process.terminate()
        }
        // An unstructured task, awaited at once, so the caller's cancellation cannot cut the wait short.
        await Task {
            _ = try? await NIOThreadPool.singleton.runIfActive {
                for process in processes { process.waitUntilExit() }
            }
        }.value
    }
}
