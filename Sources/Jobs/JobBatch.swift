import FanoutProtocol
import NIOCore

/// Jobs of one kind run one after another in one slot, sent in one frame and answered in one, as the chunks
/// of Python's `executor.map(fn, items, chunksize=n)`.
///
/// Tiny jobs pay the cluster's cost per frame once per batch instead of once each. Each job still ends on its
/// own: one failing leaves the others' outputs intact. A worker that runs a kind runs its batches too, under
/// the kind's name with `.batch` added.
public struct JobBatch<Item: Job>: Job {
    public typealias Output = [Result<Item.Output, JobFailure>]

    /// The most items reserved ahead of reading them: a count is only a claim.
    @usableFromInline
    static var reservation: Int { 4096 }

    public let jobs: [Item]

    /// - Throws: ``JobSetupError`` when `jobs` is empty or its items are batches; batches do not nest.
    @inlinable
    public init(_ jobs: [Item]) throws {
        guard !jobs.isEmpty else { throw JobSetupError(.emptyBatch, "a batch holds at least one job") }
        guard !(Item.self is any BatchOfJobs.Type) else { throw JobSetupError(.nestedBatch, "a batch holds a batch; batches do not nest") }
        self.jobs = jobs
    }

    @inlinable
    public static var kind: JobKindName {
        JobKindName(Item.kind.name + JobKindName.batchSuffix, version: Item.kind.version)
    }

    @inlinable
    public var inputDescription: String { "\(self.jobs.count) × \(Item.kind)" }

    @inlinable
    public static var spawnsProcess: Bool { Item.spawnsProcess }

    @inlinable
    public func run(in context: JobContext) async throws -> Output {
        await Item.runBatch(self.jobs, in: context)
    }

    // Input: a count, then each job's input behind its length; counts and lengths as LEB128.

    @inlinable
    public init(input buffer: inout ByteBuffer) throws {
        let count = try Self.readCount(from: &buffer)
        var jobs: [Item] = []
        jobs.reserveCapacity(min(count, buffer.readableBytes, Self.reservation))
        for index in 0..<count {
            try Self.item(index) {
                var input = try Self.readItem(from: &buffer)
                jobs.append(try Item(input: &input))
                try Self.checkConsumed(input)
            }
        }
        try self.init(jobs)
    }

    @inlinable
    public func encodeInput(into buffer: inout ByteBuffer) throws {
        try buffer.writeWireLength(self.jobs.count, field: "batch.count")
        for (index, job) in self.jobs.enumerated() {
            try Self.item(index) {
                try Self.writeItem(into: &buffer) { try job.encodeInput(into: &$0) }
            }
        }
    }

    // Output: a count, then for each job a status byte and its output behind its length, or its failure.

    @inlinable
    public static func encodeOutput(_ output: Output, into buffer: inout ByteBuffer) throws {
        try buffer.writeWireLength(output.count, field: "batch.count")
        for (index, result) in output.enumerated() {
            try Self.item(index) {
                switch result {
                case .success(let value):
                    buffer.writeInteger(JobOutcome.Status.ok.rawValue)
                    try Self.writeItem(into: &buffer) { try Item.encodeOutput(value, into: &$0) }
                case .failure(let failure):
                    buffer.writeInteger(JobOutcome.Status.failed.rawValue)
                    try buffer.writeJobFailure(failure)
                }
            }
        }
    }

    @inlinable
    public static func decodeOutput(from buffer: inout ByteBuffer) throws -> Output {
        let count = try Self.readCount(from: &buffer)
        var outputs: Output = []
        outputs.reserveCapacity(min(count, buffer.readableBytes, Self.reservation))
        for index in 0..<count {
            try Self.item(index) {
                let status: JobOutcome.Status = try buffer.readWireEnum(field: "batch.status", code: .unknownStatus)
                switch status {
                case .ok:
                    var output = try Self.readItem(from: &buffer)
                    outputs.append(.success(try Item.decodeOutput(from: &output)))
                    try Self.checkConsumed(output)
                case .failed:
                    outputs.append(.failure(try buffer.readJobFailure()))
                case .cancelled:
                    throw ProtocolError(.invalidField, "batch.status is cancelled; a batch's jobs end run or failed")
                }
            }
        }
        return outputs
    }

    @inlinable
    static func readCount(from buffer: inout ByteBuffer) throws -> Int {
        let count = try buffer.readWireLength(field: "batch.count")
        guard count > 0 else { throw ProtocolError(.invalidField, "batch.count is 0; a batch holds at least one job") }
        return count
    }

    @inlinable
    static func readItem(from buffer: inout ByteBuffer) throws -> ByteBuffer {
        let length = try buffer.readWireLength(field: "batch.item.length")
        guard let item = buffer.readSlice(length: length) else {
            throw ProtocolError(.truncatedFrame, "batch.item declares \(length) bytes but \(buffer.readableBytes) are left")
        }
        return item
    }

    /// Appends what `write` writes behind its length, assuming it takes under 128 bytes, and moving it when it
    /// takes more.
    @inlinable
    static func writeItem(into buffer: inout ByteBuffer, _ write: (inout ByteBuffer) throws -> Void) throws {
        let lengthAt = buffer.writerIndex
        buffer.writeInteger(UInt8(0))
        try write(&buffer)
        let length = buffer.writerIndex - lengthAt - 1
        if length < 0x80 {
            buffer.setInteger(UInt8(length), at: lengthAt)
        } else {
            let bytes = buffer.getBytes(at: lengthAt + 1, length: length) ?? []
            buffer.moveWriterIndex(to: lengthAt)
            try buffer.writeWireLength(length, field: "batch.item.length")
            buffer.writeBytes(bytes)
        }
    }

    @inlinable
    static func checkConsumed(_ buffer: ByteBuffer) throws {
        guard buffer.readableBytes == 0 else {
            throw ProtocolError(.trailingBytes, "\(buffer.readableBytes) bytes are left after the last field")
        }
    }

    /// Runs `body`, naming item `index` in any protocol error it throws.
    @inlinable
    static func item(_ index: Int, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as ProtocolError {
            throw ProtocolError(error.code, "batch item \(index): \(error.message)")
        }
    }
}

/// Marks batches, which do not nest.
@usableFromInline
protocol BatchOfJobs {}

extension JobBatch: BatchOfJobs {}

extension JobKindName {
    /// What a kind's batch kind adds to its name.
    public static let batchSuffix = ".batch"
}
