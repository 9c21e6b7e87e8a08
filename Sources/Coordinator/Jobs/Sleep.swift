import FanoutProtocol

/// Holds a worker slot for `duration`: an I/O-bound stand-in.
public struct Sleep: Job {
    public var duration: Duration

    public init(_ duration: Duration) {
        self.duration = duration
    }

    public var spec: JobSpec { .sleep(nanoseconds: self.duration.wireNanoseconds) }

    public func output(from output: JobOutput) -> Void? {
        guard case .sleep = output else { return nil }
        return ()
    }
}
