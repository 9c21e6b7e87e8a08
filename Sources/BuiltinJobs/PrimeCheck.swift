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
