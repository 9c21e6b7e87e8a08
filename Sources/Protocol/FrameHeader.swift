/// The fixed header in front of every frame.
///
/// ```
///  0               4       5       6
///  +---------------+-------+-------+----------------------+
///  | length UInt32 | type  | flags | payload (length - 2) |
///  +---------------+-------+-------+----------------------+
/// ```
/// `length` counts every byte after the length field itself; integers are big-endian.
public struct FrameHeader: Hashable, Sendable {
    /// Bytes after the length field: type, flags and payload.
    public var length: UInt32
    public var type: MessageType
    public var flags: UInt8

    public init(length: UInt32, type: MessageType, flags: UInt8 = 0) {
        self.length = length
        self.type = type
        self.flags = flags
    }

    /// Size of the whole header on the wire.
    public static let encodedLength = 6
    /// Size of the length field.
    public static let lengthFieldLength = 4
    /// Size of the type and flags fields, which the length field counts.
    public static let typeAndFlagsLength = 2
    /// Flags defined by this protocol version; a frame with any other bit set is refused.
    public static let knownFlags: UInt8 = 0

    /// Bytes of payload this header announces.
    public var payloadLength: Int { Int(self.length) - Self.typeAndFlagsLength }
}
