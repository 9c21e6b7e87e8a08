import FanoutProtocol

/// What the dashboard or metrics server could not do: an address that does not read, or one it cannot bind.
public struct StatusServerError: CodedError, Sendable {
    /// What went wrong, to match on; the message says it for people.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String

        /// A `[HOST:]PORT` that does not read.
        public static let invalidAddress = Code(name: "invalid-address")
        /// The address read but could not be listened on: taken, or not this machine's.
        public static let bindFailed = Code(name: "bind-failed")

        public var description: String { self.name }
    }

    public var code: Code
    public var message: String
    /// The error behind this one, if any.
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }
}
