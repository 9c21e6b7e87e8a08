import FanoutProtocol
import NIOCore

/// What a process-pool child takes from its parent rather than from its own arguments: the frame limit and the
/// HTTP timeouts, which a worker configured in code may set apart from any flag. They travel in
/// ``ChildWorker/environmentVariable``, as `frame=N connect=NS read=NS request=NS`.
struct ChildSettings: Equatable, Sendable {
    var maximumFrameLength: Int
    var httpConnectNanoseconds: Int64
    var httpReadNanoseconds: Int64
    var httpRequestNanoseconds: Int64

    init(_ configuration: WorkerConfiguration) {
        self.maximumFrameLength = configuration.frameLimits.maximumFrameLength
        self.httpConnectNanoseconds = configuration.httpConnectTimeout.nanoseconds
        self.httpReadNanoseconds = configuration.httpReadTimeout.nanoseconds
        self.httpRequestNanoseconds = configuration.httpRequestTimeout.nanoseconds
    }

    /// The settings in `value`; nil when it is not what ``environmentValue`` writes.
    init?(environmentValue value: String) {
        var fields: [Substring: Int64] = [:]
        for pair in value.split(separator: " ") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let number = Int64(parts[1]), number > 0 else { return nil }
            fields[parts[0]] = number
        }
        guard let frame = fields["frame"], let frameLength = Int(exactly: frame), let connect = fields["connect"],
            let read = fields["read"], let request = fields["request"], fields.count == 4
        else { return nil }
        self.maximumFrameLength = frameLength
        self.httpConnectNanoseconds = connect
        self.httpReadNanoseconds = read
        self.httpRequestNanoseconds = request
    }

    var environmentValue: String {
        "frame=\(self.maximumFrameLength) connect=\(self.httpConnectNanoseconds) read=\(self.httpReadNanoseconds) "
            + "request=\(self.httpRequestNanoseconds)"
    }

    func apply(to configuration: inout WorkerConfiguration) {
        configuration.frameLimits = FrameLimits(maximumFrameLength: self.maximumFrameLength)
        configuration.httpConnectTimeout = .nanoseconds(self.httpConnectNanoseconds)
        configuration.httpReadTimeout = .nanoseconds(self.httpReadNanoseconds)
        configuration.httpRequestTimeout = .nanoseconds(self.httpRequestNanoseconds)
    }
}
