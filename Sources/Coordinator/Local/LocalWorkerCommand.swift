/// The program a local worker runs: the shipped `worker`, or a program of one's own that takes `worker`'s
/// flags after `arguments`.
public struct LocalWorkerCommand: Hashable, Sendable {
    public var executable: String
    /// What comes before the worker's flags, as `["worker"]` for a subcommand.
    public var arguments: [String]

    public init(executable: String, arguments: [String] = []) {
        self.executable = executable
        self.arguments = arguments
    }

    /// The `worker` built beside this program.
    public static var shippedWorker: LocalWorkerCommand {
        LocalWorkerCommand(executable: LocalWorkers.siblingExecutable("worker"))
    }

    /// This program itself, with `arguments` to reach its worker command: for a program that is both the
    /// coordinator and the worker of its own job kinds.
    public static func thisProgram(arguments: [String]) -> LocalWorkerCommand {
        LocalWorkerCommand(executable: LocalWorkers.ownExecutable, arguments: arguments)
    }
}
