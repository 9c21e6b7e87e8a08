import FanoutProtocol

/// What a worker could not do, and why: an address to listen on that does not read, a process-pool child that
/// does not start, a child started with settings that are not a worker's. The one error type of the worker's
/// side; what it tells a coordinator goes on the wire as a ``ProtocolError``.
public struct WorkerError: CodedError, Sendable {
    /// What went wrong, to match on; the message says it for people.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String

        /// A `--listen` address that is not `HOST:PORT`.
        public static let invalidListenAddress = Code(name: "invalid-listen-address")
        /// A process-pool child could not be started or spoken to.
        public static let childDidNotStart = Code(name: "child-did-not-start")
        /// A process-pool child's settings, from its parent, do not read.
        public static let invalidChildSettings = Code(name: "invalid-child-settings")

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
