/// Where a job is in its life, as in `concurrent.futures`.
public enum JobState: Hashable, Sendable, CustomStringConvertible {
    /// Waiting in the coordinator's queue or a worker's.
    case pending
    /// A worker has started it; it can no longer be cancelled.
    case running
    /// It ran and gave its output.
    case finished
    /// It could not give an output; the error says why.
    case failed
    /// It was cancelled before it started.
    case cancelled

    public var isDone: Bool {
        switch self {
        case .pending, .running: false
        case .finished, .failed, .cancelled: true
        }
    }

    public var description: String {
        switch self {
        case .pending: "pending"
        case .running: "running"
        case .finished: "finished"
        case .failed: "failed"
        case .cancelled: "cancelled"
        }
    }
}
