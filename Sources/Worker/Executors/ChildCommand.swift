/// How to start a process-pool child: by default the worker's own binary with its own arguments, which the
/// environment variable ``ChildWorker/environmentVariable`` turns into a child.
public struct ChildCommand: Hashable, Sendable {
    public var executable: String
    public var arguments: [String]

    public init(executable: String, arguments: [String]) {
        self.executable = executable
        self.arguments = arguments
    }

    /// This process's own binary and arguments.
    public static var current: ChildCommand {
        ChildCommand(executable: Self.currentExecutable, arguments: Array(CommandLine.arguments.dropFirst()))
    }

    /// This process's own binary, as Linux names it.
    public static var currentExecutable: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
