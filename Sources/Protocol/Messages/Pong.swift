import NIOCore

/// The answer to a ping, with the three timestamps that give round trip and clock offset.
///
/// With t1 = `pingSentAt`, t2 = `receivedAt`, t3 = `sentAt` and t4 the pinger's clock on receipt:
/// round trip = (t4 - t1) - (t3 - t2); offset of the answering clock = ((t2 - t1) + (t3 - t4)) / 2.
public struct Pong: Hashable, Sendable {
    /// The ping's `sentAt`, echoed.
    public var pingSentAt: UInt64
    /// The answering side's wall clock when the ping arrived, in nanoseconds since the Unix epoch.
    public var receivedAt: UInt64
    /// The answering side's wall clock when it sent the pong.
    public var sentAt: UInt64

    public init(pingSentAt: UInt64, receivedAt: UInt64, sentAt: UInt64) {
        self.pingSentAt = pingSentAt
        self.receivedAt = receivedAt
        self.sentAt = sentAt
    }

    /// Nanoseconds on the wire both ways, given the pinger's clock when the pong arrived; nil when the
    /// timestamps cannot be right (the answer sent before the ping arrived, or back before it left).
    public func roundTripNanoseconds(receivedBack t4: UInt64) -> Int64? {
        guard t4 >= self.pingSentAt, self.sentAt >= self.receivedAt else { return nil }
        let total = t4 - self.pingSentAt
        let held = self.sentAt - self.receivedAt
        return total >= held ? Int64(exactly: total - held) : nil
    }

    /// Nanoseconds the answering clock runs ahead of the pinger's, given the pinger's clock when the pong
    /// arrived; nil when that does not fit 64 bits.
    public func clockOffsetNanoseconds(receivedBack t4: UInt64) -> Int64? {
        let outbound = Int128(self.receivedAt) - Int128(self.pingSentAt)
        let inbound = Int128(self.sentAt) - Int128(t4)
        return Int64(exactly: (outbound + inbound) / 2)
    }
}

extension Pong: WirePayload {
    init(wire buffer: inout ByteBuffer) throws {
        self.pingSentAt = try buffer.readWireInteger(field: "pong.pingSentAt")
        self.receivedAt = try buffer.readWireInteger(field: "pong.receivedAt")
        self.sentAt = try buffer.readWireInteger(field: "pong.sentAt")
    }

    func write(wire buffer: inout ByteBuffer) throws {
        buffer.writeMultipleIntegers(self.pingSentAt, self.receivedAt, self.sentAt)
    }
}
