import FanoutJobs
import NIOCore

/// The `n`th Fibonacci number by plain recursion, the CPU-bound load of the seed's GIL lesson.
public struct Fibonacci: ComputeJob {
    public typealias Output = UInt64

    public static let kind = JobKindName("fibonacci", version: 1)

    /// The largest n whose Fibonacci number fits a UInt64.
    public static let maximumN: UInt32 = 93

    public var n: UInt32

    public init(_ n: UInt32) {
        self.n = n
    }

    public var inputDescription: String { "\(self.n)" }

    public init(input buffer: inout ByteBuffer) throws {
        self.n = try buffer.readWireInteger(field: "n")
    }

    public func encodeInput(into buffer: inout ByteBuffer) throws {
        buffer.writeInteger(self.n)
    }

    public static func encodeOutput(_ output: UInt64, into buffer: inout ByteBuffer) throws {
        buffer.writeInteger(output)
    }

    public static func decodeOutput(from buffer: inout ByteBuffer) throws -> UInt64 {
        try buffer.readWireInteger(field: "value")
    }

    /// - Throws: a `invalid-job` ``JobFailure`` when `n` is over ``maximumN``.
    public func compute() throws -> UInt64 {
        guard self.n <= Self.maximumN else {
            throw JobFailure(code: .invalidJob, message: "fibonacci(\(self.n)) does not fit 64 bits; n is at most \(Self.maximumN)")
        }
        return Self.recursive(self.n)
    }

    /// fib(0) = 0, fib(1) = 1, fib(n) = fib(n - 1) + fib(n - 2), by plain recursion: exponential on purpose,
    /// as the CPU-bound load of the GIL lesson. `n` must be at most 93 for the result to fit.
    public static func recursive(_ n: UInt32) -> UInt64 {
        precondition(n <= 93, "fib(\(n)) does not fit 64 bits")
        if n <= 1 { return UInt64(n) }
        return Self.recursive(n - 1) + Self.recursive(n - 2)
    }
}
