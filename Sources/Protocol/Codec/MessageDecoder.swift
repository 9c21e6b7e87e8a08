import NIOCore

/// Turns a byte stream into messages, one frame at a time.
///
/// A frame whose length field exceeds the limit is refused as soon as the length arrives, before any of its
/// body is buffered; an unknown type or flags as soon as the header arrives. Every malformed frame throws a
/// ``ProtocolError``; no input traps.
public struct MessageDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = Message

    public let limits: FrameLimits

    public init(limits: FrameLimits = .default) {
        self.limits = limits
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> Message? {
        guard let length = buffer.peekInteger(as: UInt32.self) else { return nil }
        guard length <= self.limits.maximumFrameLength else {
            throw ProtocolError(
                .frameTooLarge,
                "frame declares length \(length), over the limit of \(self.limits.maximumFrameLength) bytes"
            )
        }
        guard length >= FrameHeader.typeAndFlagsLength else {
            throw ProtocolError(
                .truncatedFrame,
                "frame declares length \(length), too short for its type and flags"
            )
        }
        guard
            let (rawType, flags) = buffer.getMultipleIntegers(
                at: buffer.readerIndex + FrameHeader.lengthFieldLength,
                as: (UInt8, UInt8).self
            )
        else { return nil }
        guard let type = MessageType(rawValue: rawType) else {
            throw ProtocolError(.unknownMessageType, "frame has unknown message type 0x\(String(rawType, radix: 16))")
        }
        guard flags & ~FrameHeader.knownFlags == 0 else {
            throw ProtocolError(.unknownFlags, "\(type) frame has unknown flags 0b\(String(flags, radix: 2))")
        }
        guard
            var payload = buffer.getSlice(
                at: buffer.readerIndex + FrameHeader.encodedLength,
                length: Int(length) - FrameHeader.typeAndFlagsLength
            )
        else { return nil }
        buffer.moveReaderIndex(forwardBy: FrameHeader.lengthFieldLength + Int(length))
        return try Message(type: type, payload: &payload)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> Message? {
        if let message = try self.decode(buffer: &buffer) {
            return message
        }
        guard buffer.readableBytes == 0 else {
            throw ProtocolError(
                .truncatedFrame,
                "stream ended \(buffer.readableBytes) bytes into a frame"
            )
        }
        return nil
    }
}
