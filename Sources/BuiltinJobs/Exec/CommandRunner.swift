#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FanoutJobs
import FanoutLocking
import Foundation
import Logging

/// Runs one ``Exec`` job: checks its executable against the worker's policy, spawns it in a process group of
/// its own, captures its outputs, and kills the whole group if the job is cancelled (a timeout, a cancel, the
/// end of a coordinator's grace period).
struct CommandRunner {
    /// The worker's own environment, folder and `PATH`, read once: none of them changes while the worker runs.
    private static let workerEnvironment = ProcessInfo.processInfo.environment.map { (name: $0.key, value: $0.value) }
    private static let workerCommandEnvironment = CommandEnvironment(Self.workerEnvironment)
    private static let workerDirectory = FileManager.default.currentDirectoryPath
    private static let workerSearchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    private static let commandHash = CommandHash()

    let job: Exec
    let context: JobContext

    func run() async throws -> ExecOutcome {
        let slot = self.context.slot + 1
        let folder = self.context.transferFolder
        let written = self.job.shell ? folder.map(Exec.shellQuoted) : folder
        var argv = try self.job.arguments.map { argument throws(JobFailure) in try argument.resolved(slot: slot, transferFolder: written) }
        if self.job.shell {
            argv = ["/bin/sh", "-c", argv.joined(separator: " ")]
        }
        guard let name = argv.first, !name.isEmpty else {
            throw JobFailure(code: .invalidJob, message: "exec has no command")
        }
        if let index = argv.firstIndex(where: { $0.utf8.contains(0) }) {
            throw JobFailure(code: .invalidJob, message: "exec.argument \(index) holds a NUL byte")
        }
        let directory = self.job.workingDirectory.map { $0.hasPrefix("/") ? $0 : Self.workerDirectory + "/" + $0 }
            ?? folder ?? Self.workerDirectory
        let environment = try self.environment()
        let searchPath = self.job.environment.last { $0.name == "PATH" }?.value ?? Self.workerSearchPath
        // The folder is checked only when something fails: a missing one is the likelier cause then.
        let located = Self.commandHash.locate(name, in: directory, searchPath: searchPath)
        if located == nil { try CommandProcess.checkFolder(directory) }
        let executable = try self.context.commandPolicy.executable(name, located: located)
        self.context.logger.info(
            "running a command",
            metadata: [
                "job.id": "\(self.context.jobID.rawValue)",
                "coordinator.subject": "\(self.context.requester ?? "none")",
                "exec.executable": "\(executable)",
                "exec.argv": "\(argv)",
            ]
        )

        let process = CommandProcess(
            executable: executable,
            arguments: argv,
            environment: environment,
            directory: directory,
            // Both outputs must fit one result frame, whatever the coordinator asked for.
            limit: min(self.job.maximumOutputBytes, self.context.maximumOutputLength / 2)
        )
        let group = try ProcessGroup()
        let ended = try await withTaskCancellationHandler {
            try await self.context.compute { try process.run(in: group) }
        } onCancel: {
            group.kill()
        }
        return ExecOutcome(
            exitStatus: ended.exitStatus,
            signal: ended.signal,
            standardOutput: ended.standardOutput.bytes,
            standardError: ended.standardError.bytes,
            standardOutputCut: ended.standardOutput.cut,
            standardErrorCut: ended.standardError.cut
        )
    }

    /// The worker's environment with the job's variables set, the last of a name winning.
    private func environment() throws -> CommandEnvironment {
        guard !self.job.environment.isEmpty else { return Self.workerCommandEnvironment }
        var values: [String: String] = [:]
        var order: [String] = []
        for variable in self.job.environment {
            guard !variable.name.isEmpty, !variable.name.contains("="), !variable.name.utf8.contains(0) else {
                throw JobFailure(code: .invalidJob, message: "exec.environment: \"\(variable.name)\" is not a variable name")
            }
            guard !variable.value.utf8.contains(0) else {
                throw JobFailure(code: .invalidJob, message: "exec.environment: the value of \(variable.name) holds a NUL byte")
            }
            if values.updateValue(variable.value, forKey: variable.name) == nil { order.append(variable.name) }
        }
        let kept = Self.workerEnvironment.filter { values[$0.name] == nil }
        return CommandEnvironment(kept + order.map { (name: $0, value: values[$0]!) })
    }
}

/// The bytes of one output stream, up to a limit, and whether there were more.
struct Capture: Sendable {
    var bytes: [UInt8] = []
    var cut = false

    /// Keeps what of `chunk` fits under `limit`, and notes when some did not.
    mutating func append(_ chunk: UnsafeRawBufferPointer, limit: Int) {
        let room = max(limit - self.bytes.count, 0)
        if chunk.count > room { self.cut = true }
        self.bytes.append(contentsOf: chunk.prefix(room))
    }
}
