/// How a job ended: its output, its failure, or cancelled before it ran.
public enum JobOutcome: Hashable, Sendable {
    case ok(JobOutput)
    case failed(JobFailure)
    case cancelled

    /// The status byte on the wire.
    public enum Status: UInt8, Hashable, Sendable {
        case ok = 0
        case failed = 1
        case cancelled = 2
    }

    public var status: Status {
        switch self {
        case .ok: .ok
        case .failed: .failed
        case .cancelled: .cancelled
        }
    }
}
