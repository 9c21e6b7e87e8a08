import FanoutJobs
import NIOCore

/// Does nothing: measures the cluster's own cost per job.
public struct NoOp: Job {
    public typealias Output = Void

    public static let kind = JobKindName("noop", version: 1)

    public init() {}

    public var inputDescription: String { "-" }

    public init(input buffer: inout ByteBuffer) throws {}

    public func encodeInput(into buffer: inout ByteBuffer) throws {}

    public func run(in context: JobContext) async throws {}
}
