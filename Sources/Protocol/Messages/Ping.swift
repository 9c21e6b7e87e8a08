import NIOCore

/// Either direction: a heartbeat, answered with a pong.
public struct Ping: Hashable, Sendable {
    /// The sender's wall clock when it sent the ping, in nanoseconds since the Unix epoch.
    public var sentAt: UInt64

    public init(sentAt: UInt64) {
        self.sentAt = sentAt
    }
}

extension Ping: WirePayload {
    init(wire buffer: inout ByteBuffer) throws {
        self.sentAt = try buffer.readWireInteger(field: "ping.sentAt")
    }

    func write(wire buffer: inout ByteBuffer) throws {
        buffer.writeInteger(self.sentAt)
    }
}
