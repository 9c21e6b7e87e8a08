/// A TLS context could not be built: which file or setting, and why.
public struct TLSSetupError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { self.message }
}
