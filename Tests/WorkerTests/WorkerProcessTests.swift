@testable import FanoutWorker
import FanoutBuiltinJobs
import FanoutProtocol
import FanoutTestSupport
import Foundation
import NIOPosix
import Testing

/// The `worker` binary as an operator runs it.
@Suite("worker binary")
struct WorkerProcessTests {
    /// A `worker` process, and the address from its `listening on` line.
    struct WorkerProcess {
        let process: Process
        let port: Int
        let errors: Pipe

        static func start(_ arguments: [String]) async throws -> WorkerProcess {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: RunningWorker.workerBinary)
            process.arguments = arguments
            let output = Pipe()
            let errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            // Wait for the line the worker prints once bound; reading blocks, so on a pool thread.
            let line = try await NIOThreadPool.singleton.runIfActive { () -> String in
                var bytes: [UInt8] = []
                while true {
                    let byte = output.fileHandleForReading.readData(ofLength: 1)
                    guard let first = byte.first else { break }
                    if first == UInt8(ascii: "\n") { break }
                    bytes.append(first)
                }
                return String(decoding: bytes, as: UTF8.self)
            }
            guard line.hasPrefix("listening on 127.0.0.1:"), let port = Int(line.split(separator: ":").last ?? "") else {
                process.terminate()
                throw StartFailed(line: line)
            }
            return WorkerProcess(process: process, port: port, errors: errors)
        }

        /// Waits for the process to exit; returns its status and what it logged.
        func exit() async throws -> (status: Int32, reason: Process.TerminationReason, log: String) {
            let process = self.process
            let errors = self.errors
            return try await NIOThreadPool.singleton.runIfActive {
                let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                return (process.terminationStatus, process.terminationReason, log)
            }
        }

        struct StartFailed: Error {
            var line: String
        }
    }

    @Test("SIGTERM stops accepting, drains every session, and exits 0", arguments: ["threads", "processes"])
    func sigterm(pool: String) async throws {
        let cluster = try TestCluster()
        let tlsDir = cluster.certificates.hostDirectory(for: .ipv4([127, 0, 0, 1]))
        let worker = try await WorkerProcess.start([
            "--listen", "127.0.0.1:0", "--tls-dir", tlsDir, "--pool", pool, "--size", "2", "--log-level", "info",
        ])
        try await TestSession.withHandshake(port: worker.port, context: try cluster.clientContext()) { session, hello in
            #expect(hello.capabilities?.poolKind.description == pool)
            for id in 0..<4 {
                try await session.send(.submit(Submit.job(Sleep(.nanoseconds(300_000_000)), id: UInt64(id))))
            }
            // The worker reads in order, so its pong says it has taken all four jobs in.
            try await session.send(.ping(Ping(sentAt: 1)))
            // Wait until two jobs have started, so the signal finds jobs running and jobs queued. A busy writer
            // may send a job's result without its `started`, so a result counts as a start, and is kept.
            var started: Set<JobID> = []
            var results: [JobID: JobResult] = [:]
            var ponged = false
            while started.count < 2 || !ponged {
                switch try await session.next() {
                case .started(let message)?: started.insert(message.jobID)
                case .result(let result)?:
                    started.insert(result.jobID)
                    results[result.jobID] = result
                case .pong?: ponged = true
                case let other: throw TestSession.UnexpectedMessage(message: other)
                }
            }
            worker.process.terminate()

            results.merge(try await session.resultsUntilGoodbye()) { first, _ in first }
            #expect(results.count == 4)
            #expect(results.values.allSatisfy { $0.outcome == JobOutcome.empty })
            #expect(try await session.next() == nil)
        }
        let (status, reason, log) = try await worker.exit()
        #expect(reason == .exit)
        #expect(status == 0, "\(log)")
        #expect(log.contains("connection opened"))
        #expect(log.contains("stopping"))
        #expect(log.contains("worker stopped"))
    }

    @Test("bad arguments fail with a message that names them")
    func badArguments() async throws {
        for (arguments, expected) in [
            (["--listen", "nowhere"], "is not HOST:PORT"),
            (["--pool", "fibers"], "fibers"),
            (["--tls-dir", "/nonexistent/certs", "--listen", "127.0.0.1:0"], "cannot read CA certificate /nonexistent/certs/ca.pem: No such file or directory"),
            (["--ca", "a.pem"], "give either --tls-dir, or all three"),
        ] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: RunningWorker.workerBinary)
            process.arguments = arguments
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = Pipe()
            try process.run()
            let log = try await NIOThreadPool.singleton.runIfActive {
                let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                return log
            }
            #expect(process.terminationStatus != 0, "\(arguments)")
            #expect(log.contains(expected), "\(arguments): \(log)")
        }
    }
}
