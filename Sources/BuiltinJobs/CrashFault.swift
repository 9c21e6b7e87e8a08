#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A prime check of `FANOUT_CRASH_ON_PRIME` kills the process running it, after 500 ms: a fault injected to
/// test how a cluster survives a job that takes its worker down at once, as the kernel's out-of-memory killer
/// would. (A trap would first spend seconds in Swift's backtracer, frozen, which is a different fault.) A
/// worker's hidden `--crash-on-prime N` sets it, for the worker and its children.
///
/// The coordinator blames a job for its worker's death only once it has heard the job start; the delay lets
/// the `started` frame leave first. 100 ms was too short when the whole test suite loads both cores.
public enum CrashFault {
    public static let environmentVariable = "FANOUT_CRASH_ON_PRIME"

    static let prime: UInt64? = getenv(Self.environmentVariable).flatMap { UInt64(String(cString: $0)) }

    static func crash(_ n: UInt64) -> Never {
        usleep(500_000)
        let note = "fault injected: a prime check of \(n) kills this process\n"
        _ = note.withCString { write(STDERR_FILENO, $0, strlen($0)) }
        kill(getpid(), SIGKILL)
        fatalError("SIGKILL did not end the process")
    }
}
