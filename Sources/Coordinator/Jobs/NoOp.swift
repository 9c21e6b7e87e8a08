import FanoutProtocol

/// Does nothing: measures the cluster's own cost per job.
public struct NoOp: Job {
    public init() {}

    public var spec: JobSpec { .noop }

    public func output(from output: JobOutput) -> Void? {
        guard case .noop = output else { return nil }
        return ()
    }
}
