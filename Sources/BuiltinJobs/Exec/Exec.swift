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
    /// The directory to run in; nil for the worker's run folder.
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
            }
        }.joined()
    }

    /// The argument with the worker's parts filled in; `slot` counts from 1.
    public func resolved(slot: Int) -> String {
        self.parts.map { part in
            switch part {
            case .text(let text): text
            case .slot: String(slot)
            }
        }.joined()
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
