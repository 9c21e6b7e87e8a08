import NIOCore

/// How a job ended: its output, its failure, or cancelled before it ran.
public enum JobOutcome: Hashable, Sendable {
    /// The output, as the job's kind encodes it.
    case ok(ByteBuffer)
    case failed(JobFailure)
    case cancelled

    /// The status byte on the wire.
    public enum Status: UInt8, Hashable, Sendable {
        case ok = 0
        case failed = 1
        case cancelled = 2
    }

    public var status: Status {
        switch self {
        case .ok: .ok
        case .failed: .failed
        case .cancelled: .cancelled
        }
    }
}

extension JobOutcome {
    /// Reads the body that follows a status in a result: the output (the rest of the frame), the failure, or
    /// nothing.
    init(status: Status, wire buffer: inout ByteBuffer) throws {
        switch status {
        case .ok:
            self = .ok(buffer.readSlice(length: buffer.readableBytes) ?? ByteBuffer())
        case .failed:
            self = .failed(try buffer.readJobFailure())
        case .cancelled:
            self = .cancelled
        }
    }

    /// Appends the body that follows the status byte.
    func writeBody(wire buffer: inout ByteBuffer) throws {
        switch self {
        case .ok(let output):
            buffer.writeImmutableBuffer(output)
        case .failed(let failure):
            try buffer.writeJobFailure(failure)
        case .cancelled:
            break
        }
    }
}

extension ByteBuffer {
    /// Reads a failure: its code (UInt16), detail (UInt32) and message (a string).
    public mutating func readJobFailure() throws -> JobFailure {
        let code = ErrorCode(rawValue: try self.readWireInteger(field: "failure.code"))
        let detail: UInt32 = try self.readWireInteger(field: "failure.detail")
        let message = try self.readWireString(field: "failure.message")
        return JobFailure(code: code, detail: detail, message: message)
    }

    /// Appends a failure as ``readJobFailure()`` reads it.
    public mutating func writeJobFailure(_ failure: JobFailure) throws {
        self.writeMultipleIntegers(failure.code.rawValue, failure.detail)
        try self.writeWireString(failure.message, field: "failure.message")
    }
}
