/// A kind's number on one connection: its place in the list of kinds the worker's hello gave.
///
/// A submit names its kind by this number, so a job costs two bytes for its kind, whatever its name.
public struct JobKindID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    public var description: String { "kind #\(self.rawValue)" }
}
