@testable import FanoutBuiltinJobs
@testable import FanoutJobs
import FanoutProtocol
import FanoutTestSupport
import Foundation
import Logging
import NIOCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Commands: the exec kind on a worker")
struct ExecTests {
    @Test("a command's input and outcome survive the wire, worker-side parts included")
    func roundTrip() throws {
        let job = Exec(
            ["gzip", CommandArgument([.text("part-"), .slot, .text(".gz")]), CommandArgument([.transferFolder, .text("/dict")])],
            shell: true,
            environment: [EnvironmentVariable(name: "LEVEL", value: "9")],
            workingDirectory: "/srv/data",
            maximumOutputBytes: 4096
        )
        var buffer = ByteBuffer()
        try job.encodeInput(into: &buffer)
        let decoded = try Exec(input: &buffer)
        #expect(buffer.readableBytes == 0)
        #expect(decoded.arguments == job.arguments)
        #expect(decoded.shell && decoded.environment == job.environment)
        #expect(decoded.workingDirectory == "/srv/data" && decoded.maximumOutputBytes == 4096)
        #expect(decoded.inputDescription == "gzip part-{%}.gz {transfer}/dict")

        for outcome in [
            ExecOutcome(exitStatus: 3, signal: nil, standardOutput: Array("out".utf8), standardError: [0, 255], standardErrorCut: true),
            ExecOutcome(exitStatus: nil, signal: SIGKILL),
        ] {
            var output = ByteBuffer()
            try Exec.encodeOutput(outcome, into: &output)
            #expect(try Exec.decodeOutput(from: &output) == outcome)
            #expect(output.readableBytes == 0)
        }
    }

    @Test("an input with unknown flag bits or a truncated argument fails, naming the field")
    func badInput() throws {
        var flags = ByteBuffer(bytes: [0x04, 0, 0, 0, 0, 0, 0, 0, 0])
        let flagsError = try #require(throws: ProtocolError.self) { try Exec(input: &flags) }
        #expect(flagsError.message.contains("exec.flags"))

        var truncated = ByteBuffer(bytes: [0x00, 0x01, 0x01, 0x00, 0x05, 0x00])
        let truncatedError = try #require(throws: ProtocolError.self) { try Exec(input: &truncated) }
        #expect(truncatedError.code == .truncatedFrame)
        #expect(truncatedError.message.contains("exec.argument.text"))
    }

    @Test("the command runs with its arguments, slot, environment and folder; standard input is empty")
    func runs() async throws {
        let outcome = try await Self.run(
            Exec(
                ["sh", "-c", "echo \"$1 $GREETING\"; pwd; cat; echo slot $2 >&2", "sh", "hello", CommandArgument([.slot])],
                environment: [EnvironmentVariable(name: "GREETING", value: "world")],
                workingDirectory: "/tmp"
            ),
            slot: 2
        )
        #expect(outcome.exitStatus == 0 && outcome.signal == nil)
        #expect(String(decoding: outcome.standardOutput, as: UTF8.self) == "hello world\n/tmp\n")
        #expect(String(decoding: outcome.standardError, as: UTF8.self) == "slot 3\n")
    }

    @Test("a job's variables replace the worker's of the same name, the last of a name winning; the rest are inherited")
    func environment() async throws {
        let inherited = try #require(ProcessInfo.processInfo.environment["PATH"])
        let outcome = try await Self.run(
            Exec(
                ["echo \"$HOME|$TWICE|$PATH\"; env | grep -c '^HOME='"],
                shell: true,
                environment: [
                    EnvironmentVariable(name: "HOME", value: "/nowhere"),
                    EnvironmentVariable(name: "TWICE", value: "first"),
                    EnvironmentVariable(name: "TWICE", value: "second"),
                ]
            )
        )
        #expect(String(decoding: outcome.standardOutput, as: UTF8.self) == "/nowhere|second|\(inherited)\n1\n")

        let bad = try await Self.failure(of: Exec(["true"], environment: [EnvironmentVariable(name: "A=B", value: "x")]), policy: .anyExecutable)
        #expect(bad.code == .invalidJob)
        #expect(bad.message.contains("A=B"))
    }

    @Test("--shell runs the line through /bin/sh -c")
    func shell() async throws {
        let outcome = try await Self.run(Exec(["echo a; echo b | tr b c"], shell: true))
        #expect(String(decoding: outcome.standardOutput, as: UTF8.self) == "a\nc\n")
    }

    @Test("a non-zero exit and a killing signal are the outcome, not an error")
    func exitAndSignal() async throws {
        let exited = try await Self.run(Exec(["exit 7"], shell: true))
        #expect(exited.exitStatus == 7 && exited.signal == nil && !exited.succeeded)
        let killed = try await Self.run(Exec(["kill -TERM $$"], shell: true))
        #expect(killed.exitStatus == nil && killed.signal == SIGTERM)
    }

    @Test("output past the limit is read to its end, cut and marked; the other stream is kept whole")
    func outputLimit() async throws {
        let outcome = try await Self.run(
            Exec(["head -c 300000 /dev/zero; echo done >&2"], shell: true, maximumOutputBytes: 1000)
        )
        #expect(outcome.exitStatus == 0)
        #expect(outcome.standardOutput.count == 1000 && outcome.standardOutputCut)
        #expect(String(decoding: outcome.standardError, as: UTF8.self) == "done\n" && !outcome.standardErrorCut)
    }

    @Test("a worker started without --allow-exec refuses every command, naming the flag")
    func refused() async throws {
        let failure = try await Self.failure(of: Exec(["true"]), policy: .refused)
        #expect(failure.code == .notAllowed)
        #expect(failure.message.contains("--allow-exec"))
    }

    @Test("an allow-list runs only its executables, compared after resolving the name and its links")
    func allowList() async throws {
        let echo = try #require(CommandPolicy.realPath("/bin/echo"))
        let policy = try CommandPolicy(allowExec: "/bin/echo")
        let outcome = try await Self.run(Exec(["echo", "allowed"]), policy: policy)
        #expect(String(decoding: outcome.standardOutput, as: UTF8.self) == "allowed\n")

        let failure = try await Self.failure(of: Exec(["true"]), policy: policy)
        #expect(failure.code == .notAllowed)
        #expect(failure.message.contains("--allow-exec=/bin/echo"))
        let shell = try await Self.failure(of: Exec(["echo hi"], shell: true), policy: policy)
        #expect(shell.code == .notAllowed, "a shell runs anything; it is allowed only by name")
        #expect(shell.message.contains("--allow-exec=/bin/echo"))
        #expect(echo.hasSuffix("/echo"))
    }

    @Test("an --allow-exec entry that is not an absolute path is refused, naming it")
    func badPolicy() throws {
        let error = try #require(throws: JobSetupError.self) { try CommandPolicy(allowExec: "/bin/echo,gzip") }
        #expect(error.code == .invalidCommandPolicy)
        #expect(error.message.contains("\"gzip\""))
        #expect(try CommandPolicy(allowExec: "*") == .anyExecutable)
    }

    @Test("a command that does not exist fails the job, naming it")
    func missing() async throws {
        let failure = try await Self.failure(of: Exec(["no-such-command-anywhere"]), policy: .anyExecutable)
        #expect(failure.code == .jobFailed)
        #expect(failure.message.contains("no-such-command-anywhere"))

        // Executable, but not a program the kernel can run: the spawn itself fails.
        let folder = try TemporaryDirectory()
        let garbage = folder.file("garbage")
        try Data([0x00, 0x01, 0x02, 0x03]).write(to: URL(fileURLWithPath: garbage))
        #expect(chmod(garbage, 0o755) == 0)
        let unrunnable = try await Self.failure(of: Exec([CommandArgument(garbage)]), policy: .anyExecutable)
        #expect(unrunnable.code == .jobFailed)
        #expect(unrunnable.message.contains("garbage could not be started"))

        let nul = try await Self.failure(of: Exec(["echo", "a\u{0}b"]), policy: .anyExecutable)
        #expect(nul.code == .invalidJob)
        #expect(nul.message.contains("NUL"))
    }

    @Test("cancelling the job kills its whole process group, children included")
    func cancelKillsGroup() async throws {
        let folder = try TemporaryDirectory()
        let fifo = try ProcessProbe.fifo(in: folder)

        let run = Task {
            try await Self.run(Exec([CommandArgument(ProcessProbe.groupOfTwo(writingTo: fifo))], shell: true))
        }
        // Opening the FIFO waits for the command to write: the event that says both processes are running.
        let pids = await ProcessProbe.processIDs(from: fifo)
        try #require(pids.count == 2)
        run.cancel()
        // Cancelled, the run may end with the killed command's outcome or with the cancellation itself.
        if let outcome = try? await run.value {
            #expect(outcome.signal == SIGKILL)
        }
        for pid in pids {
            #expect(await ProcessProbe.dies(pid), "process \(pid) of the group outlived the cancel")
        }
    }

    @Test("a job ends when its command exits, not when a descendant that left its group lets go of its output")
    func descendantKeepsOutput() async throws {
        // The descendant holds the command's standard output open for a minute after the command has exited.
        let outcome = try await Self.run(Exec(["setsid sleep 60 & echo $!"], shell: true))
        #expect(outcome.exitStatus == 0)
        let pid = try #require(pid_t(String(decoding: outcome.standardOutput, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) == 0, "the job waited for its descendant to end")
        kill(pid, SIGKILL)
    }

    @Test("a cancel ends the job even when a descendant that left the group holds its output", .timeLimit(.minutes(1)))
    func cancelWithDescendant() async throws {
        let folder = try TemporaryDirectory()
        let fifo = try ProcessProbe.fifo(in: folder)
        let run = Task {
            try await Self.run(Exec([CommandArgument(ProcessProbe.groupOfTwo(writingTo: fifo, background: "setsid sleep 60"))], shell: true))
        }
        let pids = await ProcessProbe.processIDs(from: fifo)
        try #require(pids.count == 2)
        defer { kill(pids[1], SIGKILL) }
        run.cancel()
        if let outcome = try? await run.value {
            #expect(outcome.signal == SIGKILL)
        }
        #expect(await ProcessProbe.dies(pids[0]), "the command outlived the cancel")
    }

    // MARK: - Helpers

    @Test("a working directory that is not a folder is named, whether the command is looked up or given by path")
    func missingWorkingDirectory() async throws {
        for command in ["true", "./run.sh"] {
            let failure = try await Self.failure(of: Exec([CommandArgument(command)], workingDirectory: "/nonexistent/folder"), policy: .anyExecutable)
            #expect(failure.code == .jobFailed)
            #expect(failure.message == "the working directory /nonexistent/folder is not a folder on this worker", "\(command): \(failure)")
        }
    }

    @Test("a name found in PATH is remembered while it stays executable, as a shell's hash remembers it; then found again")
    func commandHash() throws {
        let folder = try TemporaryDirectory()
        for name in ["first", "second"] {
            try FileManager.default.createDirectory(atPath: folder.file(name), withIntermediateDirectories: false)
        }
        let searchPath = folder.file("first") + ":" + folder.file("second")
        func install(_ path: String) throws {
            try "#!/bin/sh\n".write(toFile: path, atomically: false, encoding: .utf8)
            #expect(chmod(path, 0o755) == 0)
        }
        let hash = CommandHash(capacity: 2)
        #expect(hash.locate("tool", in: "/", searchPath: searchPath) == nil)
        try install(folder.file("second/tool"))
        #expect(hash.locate("tool", in: "/", searchPath: searchPath) == folder.file("second/tool"))
        // One earlier in PATH is not seen while the remembered one runs...
        try install(folder.file("first/tool"))
        #expect(hash.locate("tool", in: "/", searchPath: searchPath) == folder.file("second/tool"))
        // ...and is found once the remembered one is gone.
        try FileManager.default.removeItem(atPath: folder.file("second/tool"))
        #expect(hash.locate("tool", in: "/", searchPath: searchPath) == folder.file("first/tool"))
        // A relative folder in PATH is read from each command's own folder.
        #expect(hash.locate("tool", in: folder.path, searchPath: "first") == folder.file("first/tool"))
        #expect(hash.locate("tool", in: folder.file("second"), searchPath: "first") == nil)
        #expect(CommandHash.hasRelativeFolder("/usr/bin:/bin") == false)
        for relative in ["", "bin", "/usr/bin:", ":/bin", "/usr/bin::/bin", "/bin:sbin"] {
            #expect(CommandHash.hasRelativeFolder(relative), "\(relative)")
        }
    }

    @Test("{transfer} with no files sent fails the job, saying so")
    func transferFolderWithoutFiles() async throws {
        let failure = try await Self.failure(of: Exec(["cat", CommandArgument([.transferFolder, .text("/a")])]), policy: .anyExecutable)
        #expect(failure.code == .invalidJob)
        #expect(failure.message.contains("{transfer}") && failure.message.contains("no file was sent"), "\(failure)")
    }

    static func run(_ job: Exec, policy: CommandPolicy = .anyExecutable, slot: Int = 0) async throws -> ExecOutcome {
        var outcome: ExecOutcome?
        try await JobEnvironment.withLocal(commandPolicy: policy, logger: Logger(label: "test")) { environment in
            outcome = try await job.run(in: JobContext(jobID: JobID(1), attempt: 1, slot: slot, environment: environment))
        }
        return try #require(outcome)
    }

    static func failure(of job: Exec, policy: CommandPolicy) async throws -> JobFailure {
        do {
            let outcome = try await Self.run(job, policy: policy)
            Issue.record("ran, with \(outcome)")
            return JobFailure(code: .jobFailed, message: "")
        } catch let failure as JobFailure {
            return failure
        }
    }


}
