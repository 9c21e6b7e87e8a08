/// Identifies one coordinator connection for as long as the worker runs.
public struct SessionID: Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public var description: String { "session \(self.rawValue)" }
}
