/// TLS files that cannot make a context: which file, and why. Local to one process, so it has no wire code.
public struct TLSSetupError: CodedError, Sendable {
    /// What went wrong, to match on; the message says it for people.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String

        /// A file cannot be read.
        public static let unreadableFile = Code(name: "unreadable-file")
        /// A file is not PEM, or holds no certificate or key.
        public static let notPEM = Code(name: "not-pem")
        /// The files do not make a context together: most often, a key that does not belong to its certificate.
        public static let mismatched = Code(name: "mismatched")

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
