import FanoutJobs

/// The kinds the shipped `worker` runs: the seed's workloads, built on the public job API.
public enum BuiltinJobs {
    public static let kinds: [any Job.Type] = [PrimeCheck.self, Fibonacci.self, FlagDownload.self, Sleep.self, NoOp.self]

    /// ``kinds``, registered.
    public static var registered: JobKinds {
        // The built-in kinds have valid, distinct names: registering them cannot fail.
        try! JobKinds(Self.kinds)
    }
}
