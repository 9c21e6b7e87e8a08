import FanoutJobs

/// The kinds the shipped `worker` runs: the seed's workloads and commands, built on the public job API.
public enum BuiltinJobs {
    public static let kinds: [any Job.Type] = [
        PrimeCheck.self, Fibonacci.self, FlagDownload.self, Sleep.self, NoOp.self, CodableNoOp.self, Exec.self,
    ]

    /// ``kinds``, registered one by one with their types known here, so that their runners are compiled for
    /// them. The built-in kinds have valid, distinct names: registering them cannot fail.
    public static let registered: JobKinds = {
        var kinds = JobKinds()
        try! kinds.register(PrimeCheck.self)
        try! kinds.register(Fibonacci.self)
        try! kinds.register(FlagDownload.self)
        try! kinds.register(Sleep.self)
        try! kinds.register(NoOp.self)
        try! kinds.register(CodableNoOp.self)
        try! kinds.register(Exec.self)
        return kinds
    }()
}
