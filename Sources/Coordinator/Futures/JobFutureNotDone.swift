import FanoutProtocol

/// `result()` was asked of a job that is still pending or running.
public struct JobFutureNotDone: Error, Hashable, Sendable, CustomStringConvertible {
    public var job: JobID

    public var description: String { "\(self.job) is not done yet" }
}
