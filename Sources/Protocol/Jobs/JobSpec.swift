import NIOCore

/// What a job is asked to do: its kind and that kind's arguments.
public enum JobSpec: Hashable, Sendable {
    /// Is `n` prime?
    case primeCheck(n: UInt64, method: PrimeMethod)
    /// The `n`th Fibonacci number, computed recursively as in the seed. `n` is at most
    /// ``JobSpec/maximumFibonacciN`` so that the result fits a UInt64.
    case fibonacci(n: UInt32)
    /// The body of an HTTP GET of `url`, the flag of `country`. Boxed, so that the other kinds, and every
    /// pending job that holds a spec, stay small.
    indirect case flagDownload(country: String, url: String)
    /// Sleep, holding a slot.
    case sleep(nanoseconds: UInt64)
    /// Do nothing; measures the cluster's own overhead.
    case noop
    /// Several jobs, none of them a batch, run one after another in one slot and answered in one result:
    /// tiny jobs then cost one frame each way per batch instead of per job.
    case batch([JobSpec])

    /// The largest n whose Fibonacci number fits a UInt64.
    public static let maximumFibonacciN: UInt32 = 93

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

extension JobSpec {
    /// Reads the spec fields that follow a kind byte.
    init(kind: JobKind, wire buffer: inout ByteBuffer) throws {
        switch kind {
        case .primeCheck:
            let n: UInt64 = try buffer.readWireInteger(field: "primeCheck.n")
            let method: PrimeMethod = try buffer.readWireEnum(field: "primeCheck.method")
            self = .primeCheck(n: n, method: method)
        case .fibonacci:
            let n: UInt32 = try buffer.readWireInteger(field: "fibonacci.n")
            try Self.checkFibonacci(n)
            self = .fibonacci(n: n)
        case .flagDownload:
            let country = try buffer.readWireString(field: "flagDownload.country")
            let url = try buffer.readWireString(field: "flagDownload.url")
            self = .flagDownload(country: country, url: url)
        case .sleep:
            self = .sleep(nanoseconds: try buffer.readWireInteger(field: "sleep.nanoseconds"))
        case .noop:
            self = .noop
        case .batch:
            self = .batch(try Self.readBatch(wire: &buffer))
        }
    }

    /// Appends the spec fields that follow the kind byte.
    func write(wire buffer: inout ByteBuffer) throws {
        switch self {
        case .primeCheck(let n, let method):
            buffer.writeMultipleIntegers(n, method.rawValue)
        case .fibonacci(let n):
            try Self.checkFibonacci(n)
            buffer.writeInteger(n)
        case .flagDownload(let country, let url):
            try buffer.writeWireString(country, field: "flagDownload.country")
            try buffer.writeWireString(url, field: "flagDownload.url")
        case .sleep(let nanoseconds):
            buffer.writeInteger(nanoseconds)
        case .noop:
            break
        case .batch(let items):
            try Self.writeBatch(items, wire: &buffer)
        }
    }

    /// The most items reserved ahead of reading them: a count is only a claim, and a small item on the wire
    /// can be a larger one in memory.
    static let batchReservation = 4096

    private static func readBatch(wire buffer: inout ByteBuffer) throws -> [JobSpec] {
        let count = try buffer.readBatchCount(field: "batch.count")
        var items: [JobSpec] = []
        items.reserveCapacity(min(count, buffer.readableBytes, Self.batchReservation))
        for index in 0..<count {
            try ProtocolError.inBatchItem(index) {
                let kind: JobKind = try buffer.readWireEnum(field: "batch.kind", code: .unknownJobKind)
                try Self.checkBatchItem(kind)
                items.append(try JobSpec(kind: kind, wire: &buffer))
            }
        }
        return items
    }

    private static func writeBatch(_ items: [JobSpec], wire buffer: inout ByteBuffer) throws {
        try buffer.writeBatchCount(items.count, field: "batch.count")
        for (index, item) in items.enumerated() {
            try ProtocolError.inBatchItem(index) {
                try Self.checkBatchItem(item.kind)
                buffer.writeInteger(item.kind.rawValue)
                try item.write(wire: &buffer)
            }
        }
    }

    static func checkBatchItem(_ kind: JobKind) throws {
        guard kind != .batch else { throw ProtocolError(.invalidField, "a batch holds a batch; batches do not nest") }
    }

    private static func checkFibonacci(_ n: UInt32) throws {
        guard n <= Self.maximumFibonacciN else {
            throw ProtocolError(
                .invalidField,
                "fibonacci.n is \(n); at most \(Self.maximumFibonacciN) gives a result that fits 64 bits"
            )
        }
    }
}
