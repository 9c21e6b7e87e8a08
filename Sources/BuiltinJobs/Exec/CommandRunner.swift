#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FanoutJobs
import FanoutLocking
import Foundation
import Logging
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs one ``Exec`` job: checks its executable against the worker's policy, spawns it in a process group of
/// its own, captures its outputs, and kills the whole group if the job is cancelled (a timeout, a cancel, the
/// end of a coordinator's grace period).
struct CommandRunner {
    /// The worker's own environment, folder and `PATH`, read once: none of them changes while the worker runs.
    private static let workerEnvironment = ProcessInfo.processInfo.environment
    private static let workerEnvironmentRows = Self.workerEnvironment.map { Self.row($0.key, $0.value) }
    private static let workerDirectory = FileManager.default.currentDirectoryPath
    private static let workerSearchPath = Self.workerEnvironment["PATH"] ?? "/usr/bin:/bin"

    /// `NAME=VALUE`, NUL-terminated, as a process's environment holds it.
    private static func row(_ name: String, _ value: String) -> [UInt8] {
        Array("\(name)=\(value)\0".utf8)
    }

    let job: Exec
    let context: JobContext

    func run() async throws -> ExecOutcome {
        let slot = self.context.slot + 1
        var argv = self.job.arguments.map { $0.resolved(slot: slot) }
        if self.job.shell {
            argv = ["/bin/sh", "-c", argv.joined(separator: " ")]
        }
        guard let name = argv.first, !name.isEmpty else {
            throw JobFailure(code: .invalidJob, message: "exec has no command")
        }
        let directory = self.job.workingDirectory.map { $0.hasPrefix("/") ? $0 : Self.workerDirectory + "/" + $0 } ?? Self.workerDirectory
        let environment = try self.environment()
        let searchPath = self.job.environment.last { $0.name == "PATH" }?.value ?? Self.workerSearchPath
        let executable = try self.context.commandPolicy.executable(name, in: directory, searchPath: searchPath)
        self.context.logger.info(
            "running a command",
            metadata: [
                "job.id": "\(self.context.jobID.rawValue)",
                "coordinator.subject": "\(self.context.requester ?? "none")",
                "exec.executable": "\(executable)",
                "exec.argv": "\(argv)",
            ]
        )

        var options = PlatformOptions()
        // Its own group, so that a kill reaches whatever it started.
        options.processGroupID = 0
        let limit = self.job.maximumOutputBytes
        let group = ProcessGroup()
        let result: ExecutionResult<(Capture, Capture), SequenceOutput, SequenceOutput>
        do {
            result = try await Subprocess.run(
                .path(FilePath(executable)),
                arguments: Arguments(executablePathOverride: name, remainingValues: Array(argv.dropFirst())),
                environment: environment,
                workingDirectory: FilePath(directory),
                platformOptions: options,
                input: .none,
                output: .sequence,
                error: .sequence
            ) { execution in
                try await withTaskCancellationHandler {
                    group.started(execution.processIdentifier.value)
                    async let standardError = Capture.read(execution.standardError, limit: limit)
                    let standardOutput = try await Capture.read(execution.standardOutput, limit: limit)
                    return (standardOutput, try await standardError)
                } onCancel: {
                    group.kill()
                }
            }
        } catch let error as SubprocessError {
            throw JobFailure(code: .jobFailed, message: "\(executable) could not be started: \(error)")
        }
        let (standardOutput, standardError) = result.closureResult
        var outcome = ExecOutcome(
            exitStatus: nil,
            signal: nil,
            standardOutput: standardOutput.bytes,
            standardError: standardError.bytes,
            standardOutputCut: standardOutput.cut,
            standardErrorCut: standardError.cut
        )
        switch result.terminationStatus {
        case .exited(let status): outcome.exitStatus = status
        case .signaled(let signal): outcome.signal = signal
        }
        return outcome
    }
}

extension CommandRunner {
    /// The worker's environment with the job's variables set, the last of a name winning; built from rows read
    /// once, where `Environment.inherit` would parse the whole environment again for every spawn.
    fileprivate func environment() throws -> Environment {
        guard !self.job.environment.isEmpty else { return .custom(Self.workerEnvironmentRows) }
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
        var rows = Self.workerEnvironment.compactMap { values[$0.key] == nil ? Self.row($0.key, $0.value) : nil }
        rows += order.map { Self.row($0, values[$0]!) }
        return .custom(rows)
    }
}

/// The bytes of one output stream, up to a limit, and whether there were more.
struct Capture: Sendable {
    var bytes: [UInt8] = []
    var cut = false

    /// Reads `stream` to its end, keeping its first `limit` bytes.
    static func read(_ stream: SubprocessOutputSequence, limit: Int) async throws -> Capture {
        var capture = Capture()
        for try await chunk in stream {
            let room = limit - capture.bytes.count
            chunk.withUnsafeBytes { bytes in
                if bytes.count > room { capture.cut = true }
                capture.bytes.append(contentsOf: bytes.prefix(max(room, 0)))
            }
        }
        return capture
    }
}

/// A command's process group, killed whole on cancellation: before the command has started, the kill waits
/// for it.
final class ProcessGroup: Sendable {
    private enum State {
        case starting
        case running(pid_t)
        case killed
    }

    private let state = Locked(State.starting)

    func started(_ pid: pid_t) {
        let killNow = self.state.withLock { state -> Bool in
            if case .killed = state { return true }
            state = .running(pid)
            return false
        }
        if killNow { Self.killGroup(pid) }
    }

    func kill() {
        let pid = self.state.withLock { state -> pid_t? in
            defer { state = .killed }
            if case .running(let pid) = state { return pid }
            return nil
        }
        if let pid { Self.killGroup(pid) }
    }

    private static func killGroup(_ leader: pid_t) {
        _ = killpg(leader, SIGKILL)
    }
}
