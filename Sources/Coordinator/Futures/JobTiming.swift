/// What the worker measured of a job.
public struct JobTiming: Hashable, Sendable {
    /// Time in the worker's queue, before a slot took it.
    public var queued: Duration
    /// Time running.
    public var ran: Duration
    /// The worker slot that ran it; nil when none did.
    public var slot: Int?
}
