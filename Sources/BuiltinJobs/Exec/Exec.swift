import FanoutJobs
import NIOCore

/// Runs a command on the worker: an executable and its arguments, spawned directly or through `/bin/sh -c`,
/// in a process group of its own, with standard input from `/dev/null` and both outputs captured.
///
/// A worker runs it only when its operator allowed commands (`worker --allow-exec`); otherwise the job fails
/// with `not-allowed`, naming the flag. A part of an argument that only the worker knows, the slot, is filled in
/// there.
public struct Exec: Job {
    public typealias Output = ExecOutcome

    public static let kind = JobKindName("exec", version: 1)

    /// A command starts a process of its own: a process pool runs it from the worker itself.
    public static var spawnsProcess: Bool { true }

    /// The argument vector; the first names the executable, by path or by a name looked up in `PATH`. With
    /// ``shell``, a single argument: the script `/bin/sh -c` runs.
    public var arguments: [CommandArgument]
    /// Run through `/bin/sh -c` instead of spawned directly.
    public var shell: Bool
    /// Variables set on top of the worker's own environment, in order.
    public var environment: [EnvironmentVariable]
    /// The directory to run in, on the worker; relative to the worker's own directory. Nil for the run folder,
    /// where the files sent with the run are, or the worker's own directory when no file was sent.
    public var workingDirectory: String?
    /// The most bytes of each of standard output and standard error kept; the rest is read and dropped.
    public var maximumOutputBytes: Int

    /// The default for ``maximumOutputBytes``: 1 MiB.
    public static let defaultMaximumOutputBytes = 1 << 20

    public init(
        _ arguments: [CommandArgument],
        shell: Bool = false,
        environment: [EnvironmentVariable] = [],
        workingDirectory: String? = nil,
        maximumOutputBytes: Int = Self.defaultMaximumOutputBytes
    ) {
        self.arguments = arguments
        self.shell = shell
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.maximumOutputBytes = maximumOutputBytes
    }

    /// `value` as one word of `sh`: as it is when every character is one the shell reads as itself, as GNU
    /// Parallel leaves it; otherwise in single quotes, each single quote closed, escaped and reopened.
    public static func shellQuoted(_ value: String) -> String {
        if !value.isEmpty, value.unicodeScalars.allSatisfy(Self.plainScalars.contains) { return value }
        return "'" + value.replacing("'", with: #"'\''"#) + "'"
    }

    private static let plainScalars = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,:/@%+=".unicodeScalars)

    /// The command as one line of text, as a job log shows it.
    public var inputDescription: String {
        self.arguments.map(\.description).joined(separator: " ")
    }

    public func run(in context: JobContext) async throws -> ExecOutcome {
        try await CommandRunner(job: self, context: context).run()
    }
}

/// One variable of a command's environment.
public struct EnvironmentVariable: Hashable, Sendable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// One argument of a command, made of text and of what only the worker knows.
public struct CommandArgument: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public enum Part: Hashable, Sendable {
        case text(String)
        /// The number of the worker slot that runs the job, from 1 (GNU Parallel's `{%}`).
        case slot
        /// The worker's run folder, holding the files sent with the run (`{transfer}`).
        case transferFolder
    }

    public var parts: [Part]

    public init(_ parts: [Part]) {
        self.parts = parts
    }

    public init(_ text: String) {
        self.parts = [.text(text)]
    }

    public init(stringLiteral text: String) {
        self.init(text)
    }

    public var description: String {
        self.parts.map { part in
            switch part {
            case .text(let text): text
            case .slot: "{%}"
            case .transferFolder: "{transfer}"
            }
        }.joined()
    }

    /// The argument with the worker's parts filled in; `slot` counts from 1, and `transferFolder` is the run
    /// folder as it is to be written (quoted, for a shell).
    ///
    /// - Throws: ``JobFailure`` with code `invalid-job` when the argument names the run folder but there is none.
    public func resolved(slot: Int, transferFolder: String?) throws(JobFailure) -> String {
        var resolved = ""
        for part in self.parts {
            switch part {
            case .text(let text):
                resolved += text
            case .slot:
                resolved += String(slot)
            case .transferFolder:
                guard let transferFolder else {
                    throw JobFailure(code: .invalidJob, message: "{transfer} names the run folder, but no file was sent with this run")
                }
                resolved += transferFolder
            }
        }
        return resolved
    }
}

/// How a command ended, and what it wrote.
public struct ExecOutcome: Hashable, Sendable {
    /// The exit status, when it exited; nil when a signal killed it.
    public var exitStatus: Int32?
    /// The signal that killed it, when one did.
    public var signal: Int32?
    /// Standard output, up to the job's ``Exec/maximumOutputBytes``.
    public var standardOutput: [UInt8]
    /// Standard error, up to the job's ``Exec/maximumOutputBytes``.
    public var standardError: [UInt8]
    /// Standard output was longer than the limit, and cut.
    public var standardOutputCut: Bool
    /// Standard error was longer than the limit, and cut.
    public var standardErrorCut: Bool

    public init(
        exitStatus: Int32?,
        signal: Int32?,
        standardOutput: [UInt8] = [],
        standardError: [UInt8] = [],
        standardOutputCut: Bool = false,
        standardErrorCut: Bool = false
    ) {
        self.exitStatus = exitStatus
        self.signal = signal
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.standardOutputCut = standardOutputCut
        self.standardErrorCut = standardErrorCut
    }

    /// It exited with status 0.
    public var succeeded: Bool { self.exitStatus == 0 }
}
