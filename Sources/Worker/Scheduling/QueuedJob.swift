import FanoutProtocol
import NIOCore

/// A submitted job on its way through the worker, with the session that owns it.
struct QueuedJob: Sendable {
    var submit: Submit
    var session: SessionID
    var origin: JobOrigin
    /// Where the job's `started` and `result` go.
    var outbox: SessionOutbox
    /// The event loop of the connection that sent it, where a job that runs on a loop runs.
    var eventLoop: any EventLoop
    /// When the job entered the queue, on ``ContinuousClock``.
    var enqueuedAt: ContinuousClock.Instant

    var jobID: JobID { self.submit.jobID }
}
