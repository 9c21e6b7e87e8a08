/// The bounds a peer enforces on the frames it reads and writes.
public struct FrameLimits: Hashable, Sendable {
    /// The largest value accepted in a frame's length field: the type and flags bytes plus the payload.
    /// A frame declaring more is refused from its header alone. Default 16 MiB.
    public var maximumFrameLength: Int

    public init(maximumFrameLength: Int = FrameLimits.defaultMaximumFrameLength) {
        precondition(
            maximumFrameLength >= FrameHeader.typeAndFlagsLength && maximumFrameLength <= Int(UInt32.max),
            "maximumFrameLength must lie in \(FrameHeader.typeAndFlagsLength)...\(UInt32.max)"
        )
        self.maximumFrameLength = maximumFrameLength
    }

    public static let defaultMaximumFrameLength = 16 * 1024 * 1024

    public static let `default` = FrameLimits()
}
