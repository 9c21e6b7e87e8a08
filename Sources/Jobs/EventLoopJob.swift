import NIOCore

/// A job that waits rather than works, and never blocks: a timer, or I/O through SwiftNIO. On a thread-pool
/// worker it runs on the event loop of the connection that sent it, which completes its future there; it holds
/// its slot, but no thread and no task.
///
/// ```swift
/// struct Pause: EventLoopJob, Codable {
///     typealias Output = Void
///     static let kind = JobKindName("pause", version: 1)
///     var milliseconds: Int64
///     func run(on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
///         eventLoop.scheduleTask(in: .milliseconds(self.milliseconds)) {}.futureResult
///     }
/// }
/// ```
///
/// A job with a timeout, in a batch or in a process pool's child runs through ``Job/run(in:)`` instead, which by
/// default waits for this future; a kind whose wait a cancel should cut short implements that too.
public protocol EventLoopJob: Job {
    /// Starts the job on `eventLoop`, on which it is called, and returns its output there. Must not block: every
    /// job on the connection waits while it runs.
    func run(on eventLoop: any EventLoop) -> EventLoopFuture<Output>
}

extension EventLoopJob {
    @inlinable
    public func run(in context: JobContext) async throws -> Output {
        let eventLoop = context.eventLoop
        return try await eventLoop.flatSubmit { self.run(on: eventLoop) }.get()
    }
}
