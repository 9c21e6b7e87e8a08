import FanoutJobs
import NIOCore

/// Does nothing: measures the cluster's own cost per job. Nothing needs a thread, so on a thread-pool worker it
/// is answered on its connection's event loop.
public struct NoOp: EventLoopJob {
    public typealias Output = Void

    public static let kind = JobKindName("noop", version: 1)

    public init() {}

    public var inputDescription: String { "-" }

    public init(input buffer: inout ByteBuffer) throws {}

    public func encodeInput(into buffer: inout ByteBuffer) throws {}

    public func run(on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        eventLoop.makeSucceededVoidFuture()
    }

    /// Nothing, where it runs in a task: in a batch, with a timeout, or in a process pool's child.
    public func run(in context: JobContext) async throws {}
}
