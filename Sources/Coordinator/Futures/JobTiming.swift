/// What the worker measured of a job.
public struct JobTiming: Hashable, Sendable {
    /// Time in the worker's queue, before a slot took it.
    public var queued: Duration
    /// Time running.
    public var ran: Duration
    /// The worker slot that ran it; nil when none did.
    public var slot: Int?
    /// When the slot took it, on the coordinator's wall clock (the worker's reading mapped with the offset that
    /// ping and pong estimate), in nanoseconds since the Unix epoch; nil when no slot did.
    public var started: UInt64?
    /// How far ``started`` may be off from the worker's true start: half the round trip of the ping exchange
    /// its mapping comes from; nil before the worker's first pong, when its reading is taken as it is.
    public var startedBound: Duration? = nil

    /// When it stopped running, on the coordinator's wall clock; nil when no slot took it.
    public var ended: UInt64? {
        // Saturating: the start comes from a worker, and a wrong one must not trap the coordinator.
        self.started.map { started in
            let (sum, overflow) = started.addingReportingOverflow(self.ran.wireNanoseconds)
            return overflow ? .max : sum
        }
    }
}
