/// Fibonacci numbers, computed the seed's way.
public enum Fibonacci {
    /// fib(0) = 0, fib(1) = 1, fib(n) = fib(n - 1) + fib(n - 2), by plain recursion: exponential on purpose,
    /// as the CPU-bound load of the GIL lesson. `n` must be at most 93 for the result to fit.
    public static func recursive(_ n: UInt32) -> UInt64 {
        precondition(n <= 93, "fib(\(n)) does not fit 64 bits")
        if n <= 1 { return UInt64(n) }
        return Self.recursive(n - 1) + Self.recursive(n - 2)
    }
}
