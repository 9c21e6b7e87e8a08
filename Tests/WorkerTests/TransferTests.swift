@testable import FanoutWorker
import FanoutBuiltinJobs
import FanoutJobs
import FanoutProtocol
import FanoutTestSupport
import Foundation
import NIOCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Files a coordinator sends its session before its jobs, as `exec --transfer` does.
@Suite("Files sent with a run")
struct TransferTests {
    static func allowingCommands(in parent: String) -> (inout WorkerConfiguration) -> Void {
        { configuration in
            configuration.commandPolicy = .anyExecutable
            configuration.runFolderParent = parent
        }
    }

    static func puts(_ name: String, _ contents: ByteBuffer, executable: Bool = false, chunkBytes: Int = 1 << 20) -> [Message] {
        Put.chunks(name: name, executable: executable, contents: contents, chunkBytes: chunkBytes).map(Message.put)
    }

    static func outcome(of result: JobResult) throws -> ExecOutcome {
        guard case .ok(var bytes) = result.outcome else {
            Issue.record("job \(result.jobID) did not succeed: \(result.outcome)")
            throw CancellationError()
        }
        return try Exec.decodeOutput(from: &bytes)
    }

    static func entries(of folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    @Test("files sent in chunks are whole in the run folder, executable as sent, and reached by {transfer} and by relative paths")
    func filesReachCommands() async throws {
        let parent = try TemporaryDirectory()
        // A space in the folder's path, which a shell must be given quoted.
        let parentPath = parent.file("run folders")
        try FileManager.default.createDirectory(atPath: parentPath, withIntermediateDirectories: false)
        try await RunningWorker.with(configure: Self.allowingCommands(in: parentPath)) { worker in
            let data = ByteBuffer(bytes: (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) })
            let chunks = Self.puts("data.bin", data, chunkBytes: 128 * 1024)
            #expect(chunks.count == 3)
            let script = ByteBuffer(string: "#!/bin/sh\necho \"ran in $(pwd) with $*\"\n")
            try await worker.session { session, _ in
                try await session.outbound.write(
                    contentsOf: chunks + Self.puts("run.sh", script, executable: true) + Self.puts("empty", ByteBuffer())
                )
                try await session.send(
                    .submit(Submit.job(Exec(["./run.sh", "a", "b"]), id: 1)),
                    .submit(Submit.job(Exec(["cat", "data.bin"]), id: 2)),
                    .submit(Submit.job(Exec(["stat", "-c", "%a %s %n", "run.sh", "data.bin", "empty"]), id: 3)),
                    .submit(Submit.job(Exec(["echo", CommandArgument([.transferFolder, .text("/run.sh")])]), id: 4)),
                    .submit(Submit.job(Exec([CommandArgument([.text("sh "), .transferFolder, .text("/run.sh c")])], shell: true), id: 5))
                )
                let results = try await session.results(5)
                let echoed = String(decoding: try Self.outcome(of: try #require(results[JobID(4)])).standardOutput, as: UTF8.self)
                let folder = String(echoed.dropLast("/run.sh\n".count))
                #expect(echoed.hasSuffix("/run.sh\n"))
                #expect(folder.hasPrefix(parentPath + "/fanout-run-\(getpid())-"), "\(folder)")
                #expect(String(decoding: try Self.outcome(of: try #require(results[JobID(1)])).standardOutput, as: UTF8.self) == "ran in \(folder) with a b\n")
                var status = stat()
                #expect(stat(folder, &status) == 0 && status.st_mode & 0o777 == 0o700)

                #expect(try Self.outcome(of: try #require(results[JobID(2)])).standardOutput == Array(data.readableBytesView))
                #expect(
                    String(decoding: try Self.outcome(of: try #require(results[JobID(3)])).standardOutput, as: UTF8.self)
                        == "700 \(script.readableBytes) run.sh\n600 300000 data.bin\n600 0 empty\n"
                )
                #expect(String(decoding: try Self.outcome(of: try #require(results[JobID(5)])).standardOutput, as: UTF8.self) == "ran in \(folder) with c\n")
            }
        }
        // The worker has stopped, so every session has ended and removed its folder.
        #expect(Self.entries(of: parentPath) == [])
    }

    /// Sends `messages` and returns the error report that ends the session, checking that the session ends.
    static func refusal(after messages: [Message], on worker: RunningWorker) async throws -> ErrorReport? {
        try await worker.session { session, _ in
            try await session.outbound.write(contentsOf: messages)
            guard case .error(let report)? = try await session.next() else {
                Issue.record("expected an error report")
                return nil
            }
            #expect(try await session.next() == nil, "the session goes on after \(report)")
            return report
        }
    }

    @Test("a worker that runs no commands stores no file: the session ends, naming --allow-exec")
    func refusedWithoutAllowExec() async throws {
        let parent = try TemporaryDirectory()
        let parentPath = parent.path
        try await RunningWorker.with(configure: { $0.runFolderParent = parentPath }) { worker in
            let report = try await Self.refusal(after: Self.puts("run.sh", ByteBuffer(string: "echo hi\n")), on: worker)
            #expect(report?.code == .transferFailed)
            #expect(report.map { $0.message.contains("--allow-exec") && $0.message.contains("run.sh") } == true, "\(String(describing: report))")
            #expect(Self.entries(of: parentPath) == [])
        }
    }

    @Test("a file that cannot be stored ends the session naming it, and its folder goes with the session")
    func storeFailureEndsSession() async throws {
        let parent = try TemporaryDirectory()
        let parentPath = parent.path
        let log = LogRecorder()
        try await RunningWorker.with(configure: Self.allowingCommands(in: parentPath), logger: log.logger()) { worker in
            // The same name twice.
            let report = try await Self.refusal(
                after: Self.puts("input.txt", ByteBuffer(string: "one")) + Self.puts("input.txt", ByteBuffer(string: "two")),
                on: worker
            )
            #expect(report?.code == .transferFailed)
            #expect(report.map { $0.message.contains("/input.txt") && $0.message.contains("sent already") } == true, "\(String(describing: report))")
            await log.waitFor("connection closed")
            #expect(Self.entries(of: parentPath) == [])
        }
    }

    @Test("files past the worker's limit end the session, naming the limit and its flag")
    func overTheLimit() async throws {
        let parent = try TemporaryDirectory()
        let parentPath = parent.path
        let configure: (inout WorkerConfiguration) -> Void = { configuration in
            Self.allowingCommands(in: parentPath)(&configuration)
            configuration.maximumTransferBytes = 1000
        }
        try await RunningWorker.with(configure: configure) { worker in
            let report = try await Self.refusal(
                after: Self.puts("a", ByteBuffer(repeating: 0, count: 600)) + Self.puts("b", ByteBuffer(repeating: 0, count: 600)),
                on: worker
            )
            #expect(report?.code == .transferFailed)
            #expect(report.map { $0.message.contains("b (600 bytes)") && $0.message.contains("1000 bytes (--max-transfer)") } == true, "\(String(describing: report))")
        }
    }

    @Test("a put out of order ends its session with an error naming both files; the half-sent file goes, the worker serves on")
    func outOfOrderPut() async throws {
        let parent = try TemporaryDirectory()
        let parentPath = parent.path
        let log = LogRecorder()
        try await RunningWorker.with(configure: Self.allowingCommands(in: parentPath), logger: log.logger()) { worker in
            let halves = Self.puts("big.bin", ByteBuffer(repeating: 1, count: 10), chunkBytes: 6)
            let report = try await Self.refusal(after: [halves[0], Self.puts("other", ByteBuffer(string: "x"))[0]], on: worker)
            #expect(report?.code == .unexpectedMessage)
            #expect(report.map { $0.message.contains("other") && $0.message.contains("big.bin") && $0.message.contains("6 of its 10") } == true)
            await log.waitFor("connection closed")
            #expect(Self.entries(of: parentPath) == [])
            try await worker.session { session, _ in
                try await session.send(.submit(Submit.job(Exec(["true"]), id: 1)))
                guard case .ok = try await session.result(for: JobID(1)).outcome else {
                    Issue.record("a new session could not run a command")
                    return
                }
            }
        }
    }

    @Test("a coordinator that leaves halfway through a file leaves nothing behind")
    func leavesMidFile() async throws {
        let parent = try TemporaryDirectory()
        let parentPath = parent.path
        let log = LogRecorder()
        try await RunningWorker.with(configure: Self.allowingCommands(in: parentPath), logger: log.logger()) { worker in
            try await worker.session { session, _ in
                let halves = Self.puts("big.bin", ByteBuffer(repeating: 1, count: 10), chunkBytes: 6)
                try await session.send(halves[0], .ping(Ping(sentAt: 1)))
                // The pong comes once the first half is stored.
                guard case .pong? = try await session.next() else {
                    Issue.record("expected the pong")
                    return
                }
                #expect(Self.entries(of: parentPath).count == 1)
            }
            await log.waitFor("connection closed")
            #expect(Self.entries(of: parentPath) == [])
        }
    }

    @Test("a worker starting removes the run folders of workers that died, and keeps those of live ones")
    func abandonedFoldersRemoved() async throws {
        let parent = try TemporaryDirectory()
        let parentPath = parent.path
        // A process that has exited and been reaped: its id names no process.
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let dead = parent.file("fanout-run-\(finished.processIdentifier)-abc123")
        let live = parent.file("fanout-run-\(getpid())-def456")
        for folder in [dead, live] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            try "left".write(toFile: folder + "/file", atomically: false, encoding: .utf8)
        }
        try await RunningWorker.with(configure: Self.allowingCommands(in: parentPath)) { _ in
            // Listening: the clean-up has run.
            #expect(Self.entries(of: parentPath) == ["fanout-run-\(getpid())-def456"])
        }
    }
}
