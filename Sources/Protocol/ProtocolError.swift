/// A violation of the wire protocol: what was wrong, where, and the code to report it with.
///
/// The decoder throws it for every malformed input; a peer sends it back in an error frame.
public struct ProtocolError: CodedError, Sendable {
    public var code: ErrorCode
    public var message: String

    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(self.message) [\(self.code)]" }

    /// None: a protocol error is found in the bytes themselves.
    public var cause: (any Error & Sendable)? { nil }

    /// The error frame that reports this error to the peer.
    public var report: ErrorReport { ErrorReport(code: self.code, message: self.message) }
}
