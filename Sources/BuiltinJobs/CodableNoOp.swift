import FanoutJobs

/// Does nothing with an input that travels as JSON: what Codable costs against ``NoOp``'s bytes.
public struct CodableNoOp: Job, Codable {
    public typealias Output = Void

    public static let kind = JobKindName("noop.codable", version: 1)

    public var index: Int
    public var label: String

    public init(index: Int, label: String) {
        self.index = index
        self.label = label
    }

    public var inputDescription: String { "\(self.index) \(self.label)" }

    public func run(in context: JobContext) async throws {}
}
