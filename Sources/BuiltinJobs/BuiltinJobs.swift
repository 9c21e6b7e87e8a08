import FanoutJobs

/// The kinds the shipped `worker` runs: the seed's workloads, built on the public job API.
public enum BuiltinJobs {
    public static let kinds: [any Job.Type] = [
        PrimeCheck.self, Fibonacci.self, FlagDownload.self, Sleep.self, NoOp.self, CodableNoOp.self,
    ]

    /// ``kinds``, registered. The built-in kinds have valid, distinct names: registering them cannot fail.
    public static let registered = try! JobKinds(Self.kinds)
}
