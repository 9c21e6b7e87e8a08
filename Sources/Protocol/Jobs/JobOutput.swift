import NIOCore

/// What a finished job produced, by kind.
public enum JobOutput: Hashable, Sendable {
    case primeCheck(isPrime: Bool)
    case fibonacci(UInt64)
    /// The downloaded bytes.
    case flagDownload(ByteBuffer)
    case sleep
    case noop

    public var kind: JobKind {
        switch self {
        case .primeCheck: .primeCheck
        case .fibonacci: .fibonacci
        case .flagDownload: .flagDownload
        case .sleep: .sleep
        case .noop: .noop
        }
    }
}

extension JobOutput {
    /// Reads the output fields that follow a kind byte.
    init(kind: JobKind, wire buffer: inout ByteBuffer) throws {
        switch kind {
        case .primeCheck:
            self = .primeCheck(isPrime: try buffer.readWireBool(field: "primeCheck.isPrime"))
        case .fibonacci:
            self = .fibonacci(try buffer.readWireInteger(field: "fibonacci.value"))
        case .flagDownload:
            self = .flagDownload(try buffer.readWireBytes(field: "flagDownload.body"))
        case .sleep:
            self = .sleep
        case .noop:
            self = .noop
        }
    }

    /// Appends the output fields that follow the kind byte.
    func write(wire buffer: inout ByteBuffer) throws {
        switch self {
        case .primeCheck(let isPrime):
            buffer.writeWireBool(isPrime)
        case .fibonacci(let value):
            buffer.writeInteger(value)
        case .flagDownload(let body):
            try buffer.writeWireBytes(body, field: "flagDownload.body")
        case .sleep, .noop:
            break
        }
    }
}
