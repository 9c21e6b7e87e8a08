import FanoutProtocol

/// Is `n` prime? By default the seed's slow trial division, so the work is worth spreading.
public struct PrimeCheck: Job {
    public var n: UInt64
    public var method: PrimeMethod

    public init(_ n: UInt64, method: PrimeMethod = .trialDivisionToN) {
        self.n = n
        self.method = method
    }

    public var spec: JobSpec { .primeCheck(n: self.n, method: self.method) }

    public func output(from output: JobOutput) -> Bool? {
        guard case .primeCheck(let isPrime) = output else { return nil }
        return isPrime
    }
}
