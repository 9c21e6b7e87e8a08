/// What a cluster has sent to and received from its workers: frames, and bytes on the socket (TLS records
/// included), over every connection since it opened.
public struct WireTraffic: Hashable, Sendable {
    public var framesSent = 0
    public var framesReceived = 0
    public var bytesSent = 0
    public var bytesReceived = 0

    public init() {}

    /// The traffic since `earlier`, a reading of the same cluster.
    public func since(_ earlier: WireTraffic) -> WireTraffic {
        var difference = WireTraffic()
        difference.framesSent = self.framesSent - earlier.framesSent
        difference.framesReceived = self.framesReceived - earlier.framesReceived
        difference.bytesSent = self.bytesSent - earlier.bytesSent
        difference.bytesReceived = self.bytesReceived - earlier.bytesReceived
        return difference
    }
}
