/// The version of the Fanout wire protocol a peer speaks.
///
/// Peers must speak the same version: any change to a frame or payload layout
/// takes a new version, and a hello with another version ends the connection.
public struct ProtocolVersion: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// The version this build speaks.
    public static let current = ProtocolVersion(rawValue: 5)

    public var description: String { "\(self.rawValue)" }

    public static func < (lhs: ProtocolVersion, rhs: ProtocolVersion) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
