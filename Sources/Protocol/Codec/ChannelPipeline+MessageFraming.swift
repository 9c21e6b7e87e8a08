import NIOCore

extension ChannelPipeline.SynchronousOperations {
    /// Adds Fanout's framing: bytes in are decoded into ``Message``s, and ``Message``s out are encoded into
    /// frames, each within `limits`. The one set-up every connection and pipe uses, after its TLS if it has any.
    public func addMessageFraming(limits: FrameLimits) throws {
        try self.addHandler(ByteToMessageHandler(MessageDecoder(limits: limits)))
        try self.addHandler(MessageEncoder(limits: limits))
    }
}
