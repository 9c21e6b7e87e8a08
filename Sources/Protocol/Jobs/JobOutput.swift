import NIOCore

/// What a finished job produced, by kind.
public enum JobOutput: Hashable, Sendable {
    static var batchReservation: Int { JobSpec.batchReservation }

    case primeCheck(isPrime: Bool)
    case fibonacci(UInt64)
    /// The downloaded bytes.
    case flagDownload(ByteBuffer)
    case sleep
    case noop
    /// How each job of a batch ended, in the batch's order.
    case batch([JobOutcome])

    public var kind: JobKind {
        switch self {
        case .primeCheck: .primeCheck
        case .fibonacci: .fibonacci
        case .flagDownload: .flagDownload
        case .sleep: .sleep
        case .noop: .noop
        case .batch: .batch
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
        case .batch:
            let count = try buffer.readBatchCount(field: "batch.count")
            var outcomes: [JobOutcome] = []
            outcomes.reserveCapacity(min(count, buffer.readableBytes, Self.batchReservation))
            for index in 0..<count {
                try ProtocolError.inBatchItem(index) {
                    let status: JobOutcome.Status = try buffer.readWireEnum(field: "batch.status", code: .unknownStatus)
                    if status == .ok, buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) == JobKind.batch.rawValue {
                        try JobSpec.checkBatchItem(.batch)
                    }
                    outcomes.append(try JobOutcome(status: status, wire: &buffer))
                }
            }
            self = .batch(outcomes)
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
        case .batch(let outcomes):
            try buffer.writeBatchCount(outcomes.count, field: "batch.count")
            for (index, outcome) in outcomes.enumerated() {
                try ProtocolError.inBatchItem(index) {
                    if case .ok(let output) = outcome { try JobSpec.checkBatchItem(output.kind) }
                    buffer.writeInteger(outcome.status.rawValue)
                    try outcome.writeBody(wire: &buffer)
                }
            }
        }
    }
}
