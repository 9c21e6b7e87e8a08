/// When things happened to a job, on the coordinator's wall clock, in nanoseconds since the Unix epoch.
public struct JobTimes: Hashable, Sendable {
    /// `submit` was called.
    public var submitted: UInt64 = 0
    /// The job was last sent to a worker; nil if it never was.
    public var sent: UInt64?
    /// The worker's `started` arrived; nil if it never did.
    public var started: UInt64?
    /// The job resolved.
    public var ended: UInt64?
}
