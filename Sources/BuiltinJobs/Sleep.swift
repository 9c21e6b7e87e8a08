import FanoutJobs
import NIOCore

/// Holds a worker slot for `duration`: an I/O-bound stand-in. It waits on a timer of its event loop, with no
/// thread or task, as a job waiting on I/O through SwiftNIO would.
public struct Sleep: EventLoopJob {
    public typealias Output = Void

    public static let kind = JobKindName("sleep", version: 1)

    public var duration: Duration

    public init(_ duration: Duration) {
        self.duration = duration
    }

    public var inputDescription: String { "\(Double(self.nanoseconds) / 1e9)s" }

    private var nanoseconds: UInt64 {
        let (seconds, attoseconds) = self.duration.components
        guard seconds >= 0 else { return 0 }
        return UInt64(clamping: Int128(seconds) * 1_000_000_000 + Int128(attoseconds / 1_000_000_000))
    }

    public init(input buffer: inout ByteBuffer) throws {
        self.duration = .nanoseconds(Int64(clamping: try buffer.readWireInteger(as: UInt64.self, field: "nanoseconds")))
    }

    public func encodeInput(into buffer: inout ByteBuffer) throws {
        buffer.writeInteger(self.nanoseconds)
    }

    public func run(on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        eventLoop.scheduleTask(in: .nanoseconds(Int64(clamping: self.nanoseconds))) {}.futureResult
    }

    /// Waits in a task, where a timeout or a cancel cuts the sleep short.
    public func run(in context: JobContext) async throws {
        try await Task.sleep(nanoseconds: self.nanoseconds)
    }
}
