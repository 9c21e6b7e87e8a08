import FanoutProtocol

/// Holds a worker slot for `duration`: an I/O-bound stand-in.
public struct Sleep: Job {
    public var duration: Duration

    public init(_ duration: Duration) {
        self.duration = duration
    }

    public var spec: JobSpec {
        let (seconds, attoseconds) = self.duration.components
        let nanoseconds = max(0, seconds) * 1_000_000_000 + max(0, attoseconds) / 1_000_000_000
        return .sleep(nanoseconds: UInt64(nanoseconds))
    }

    public func output(from output: JobOutput) -> Void? {
        guard case .sleep = output else { return nil }
        return ()
    }
}
