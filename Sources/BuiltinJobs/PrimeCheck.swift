#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FanoutJobs
import NIOCore

/// Is `n` prime? By default the seed's slow trial division, so the work is worth spreading.
public struct PrimeCheck: ComputeJob {
    public typealias Output = Bool

    public static let kind = JobKindName("primes.check", version: 1)

    public var n: UInt64
    public var method: PrimeMethod

    public init(_ n: UInt64, method: PrimeMethod = .trialDivisionToN) {
        self.n = n
        self.method = method
    }

    public var inputDescription: String { "\(self.n) \(self.method)" }

    public init(input buffer: inout ByteBuffer) throws {
        self.n = try buffer.readWireInteger(field: "n")
        self.method = try buffer.readWireEnum(field: "method")
    }

    public func encodeInput(into buffer: inout ByteBuffer) throws {
        buffer.writeMultipleIntegers(self.n, self.method.rawValue)
    }

    public static func encodeOutput(_ output: Bool, into buffer: inout ByteBuffer) throws {
        buffer.writeWireBool(output)
    }

    public static func decodeOutput(from buffer: inout ByteBuffer) throws -> Bool {
        try buffer.readWireBool(field: "isPrime")
    }

    public func compute() throws -> Bool {
        if self.n == CrashFault.prime { CrashFault.crash(self.n) }
        return Primality.isPrime(self.n, method: self.method)
    }
}

/// A prime check of `FANOUT_CRASH_ON_PRIME` kills the process running it, after 100 ms: a fault injected to
/// test how a cluster survives a job that takes its worker down at once, as the kernel's out-of-memory killer
/// would. (A trap would first spend seconds in Swift's backtracer, frozen, which is a different fault.) A
/// worker's hidden `--crash-on-prime N` sets it, for the worker and its children.
public enum CrashFault {
    public static let environmentVariable = "FANOUT_CRASH_ON_PRIME"

    static let prime: UInt64? = getenv(Self.environmentVariable).flatMap { UInt64(String(cString: $0)) }

    static func crash(_ n: UInt64) -> Never {
        usleep(100_000)
        let note = "fault injected: a prime check of \(n) kills this process\n"
        _ = note.withCString { write(STDERR_FILENO, $0, strlen($0)) }
        kill(getpid(), SIGKILL)
        fatalError("SIGKILL did not end the process")
    }
}
