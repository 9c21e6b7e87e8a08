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

    /// Of a round trip from `sent` to `answered`, the nanoseconds that the `atWorker` nanoseconds of queueing
    /// and running do not explain: the wire both ways and the coordinator's own handling.
    static func network(sent: UInt64, answered: UInt64, atWorker: UInt64) -> UInt64 {
        let roundTrip = answered > sent ? answered - sent : 0
        return roundTrip > atWorker ? roundTrip - atWorker : 0
    }
}
