import NIOCore

/// Either direction: what went wrong, sent before the sender closes the connection.
public struct ErrorReport: Hashable, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String

    /// A message longer than a wire string holds (64 KiB of UTF-8) is cut to fit.
    public init(code: ErrorCode, message: String) {
        self.code = code
        self.message = message.truncatedToWireLimit()
    }

    public var description: String { "\(self.message) [\(self.code)]" }
}

extension ErrorReport: WirePayload {
    init(wire buffer: inout ByteBuffer) throws {
        self.code = ErrorCode(rawValue: try buffer.readWireInteger(field: "error.code"))
        self.message = try buffer.readWireString(field: "error.message")
    }

    func write(wire buffer: inout ByteBuffer) throws {
        buffer.writeInteger(self.code.rawValue)
        try buffer.writeWireString(self.message, field: "error.message")
    }
}
