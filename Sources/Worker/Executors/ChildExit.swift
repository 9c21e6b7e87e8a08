#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How a child process ended.
enum ChildExit: Hashable, Sendable, CustomStringConvertible {
    case exited(status: Int32)
    case signaled(signal: Int32)
    /// waitpid failed; the child's fate is unknown.
    case unknown(errno: Int32)

    /// Decodes a `waitpid` status (the WIFEXITED / WIFSIGNALED macros, which Swift cannot import).
    init(waitStatus status: Int32) {
        let low = status & 0x7F
        if low == 0 {
            self = .exited(status: (status >> 8) & 0xFF)
        } else {
            self = .signaled(signal: low)
        }
    }

    /// The number a failed result carries in its detail field.
    var detail: UInt32 {
        switch self {
        case .exited(let status): UInt32(bitPattern: status)
        case .signaled(let signal): UInt32(bitPattern: signal)
        case .unknown: 0
        }
    }

    var description: String {
        switch self {
        case .exited(let status): "exited with status \(status)"
        case .signaled(let signal): "was killed by signal \(signal) (\(Self.name(of: signal)))"
        case .unknown(let error): "ended in an unknown way (waitpid: \(String(cString: strerror(error))))"
        }
    }

    static func name(of signal: Int32) -> String {
        switch signal {
        case SIGKILL: "SIGKILL"
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGSEGV: "SIGSEGV"
        case SIGABRT: "SIGABRT"
        case SIGBUS: "SIGBUS"
        case SIGILL: "SIGILL"
        case SIGFPE: "SIGFPE"
        case SIGHUP: "SIGHUP"
        case SIGPIPE: "SIGPIPE"
        case SIGQUIT: "SIGQUIT"
        case SIGTRAP: "SIGTRAP"
        default: "signal \(signal)"
        }
    }
}
