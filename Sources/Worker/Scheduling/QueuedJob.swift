import FanoutProtocol

/// A submitted job on its way through the worker, with the session that owns it.
struct QueuedJob: Sendable {
    var submit: Submit
    var session: SessionID
    var origin: JobOrigin
    /// Where the job's `started` and `result` go.
    var outbox: SessionOutbox
    /// When the job entered the queue, on ``ContinuousClock``.
    var enqueuedAt: ContinuousClock.Instant

    var jobID: JobID { self.submit.jobID }
}
