import FanoutProtocol

/// The `n`th Fibonacci number by plain recursion, the CPU-bound load of the seed's GIL lesson.
public struct Fibonacci: Job {
    public var n: UInt32

    public init(_ n: UInt32) {
        self.n = n
    }

    public var spec: JobSpec { .fibonacci(n: self.n) }

    public func output(from output: JobOutput) -> UInt64? {
        guard case .fibonacci(let value) = output else { return nil }
        return value
    }
}
