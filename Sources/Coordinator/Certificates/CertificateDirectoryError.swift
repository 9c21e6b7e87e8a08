/// `certs init` could not do what was asked: what, and where.
public struct CertificateDirectoryError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { self.message }
}
