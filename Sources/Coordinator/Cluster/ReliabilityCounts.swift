/// What the cluster has recovered from so far.
public struct ReliabilityCounts: Sendable, Hashable, CustomStringConvertible {
    /// Connections lost: a worker that went silent past the heartbeat timeout, or whose connection broke.
    public var workersLost = 0
    /// Connections made again to a worker after it was lost.
    public var reconnections = 0
    /// Jobs sent again because their worker, or its child process, was lost under them.
    public var jobsRetried = 0
    /// Results for an attempt that was no longer current (its worker was declared lost, or its job had gone
    /// elsewhere), dropped so that no job resolves twice.
    public var lateResultsDropped = 0

    public init() {}

    public var description: String {
        "\(self.workersLost) workers lost, \(self.reconnections) reconnections, \(self.jobsRetried) jobs retried, "
            + "\(self.lateResultsDropped) late results dropped"
    }
}
