import NIOCore

/// How a job ended: its output, its failure, or cancelled before it ran.
public enum JobOutcome: Hashable, Sendable {
    case ok(JobOutput)
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
    /// Reads the body that follows a status: the output's kind and fields, the failure, or nothing.
    init(status: Status, wire buffer: inout ByteBuffer) throws {
        switch status {
        case .ok:
            let kind: JobKind = try buffer.readWireEnum(field: "result.kind", code: .unknownJobKind)
            self = .ok(try JobOutput(kind: kind, wire: &buffer))
        case .failed:
            let code = ErrorCode(rawValue: try buffer.readWireInteger(field: "result.errorCode"))
            let detail: UInt32 = try buffer.readWireInteger(field: "result.errorDetail")
            let message = try buffer.readWireString(field: "result.errorMessage")
            self = .failed(JobFailure(code: code, detail: detail, message: message))
        case .cancelled:
            self = .cancelled
        }
    }

    /// Appends the body that follows the status byte.
    func writeBody(wire buffer: inout ByteBuffer) throws {
        switch self {
        case .ok(let output):
            buffer.writeInteger(output.kind.rawValue)
            try output.write(wire: &buffer)
        case .failed(let failure):
            buffer.writeMultipleIntegers(failure.code.rawValue, failure.detail)
            try buffer.writeWireString(failure.message, field: "result.errorMessage")
        case .cancelled:
            break
        }
    }
}
