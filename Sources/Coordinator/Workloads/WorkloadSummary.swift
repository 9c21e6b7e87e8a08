/// How a workload went: what succeeded, what failed and why, and how long it all took.
public struct WorkloadSummary: Sendable {
    public var succeeded: Int
    /// One line per failed job, naming it and the reason.
    public var failures: [String]
    public var elapsed: Duration

    public init(succeeded: Int = 0, failures: [String] = [], elapsed: Duration = .zero) {
        self.succeeded = succeeded
        self.failures = failures
        self.elapsed = elapsed
    }

    public var failed: Bool { !self.failures.isEmpty }
}
