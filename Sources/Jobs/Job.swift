import FanoutProtocol
import NIOCore

/// A kind of job: its input (the type itself), its output, how both travel as bytes, and what a worker slot
/// runs.
///
/// A coordinator submits a value of the type and gets back a future of its `Output`; a worker built with the
/// kind decodes the value, calls ``run(in:)`` in one of its slots, and sends the output back:
///
/// ```swift
/// struct WordCount: Job, Codable {
///     typealias Output = Int
///     static let kind = JobKindName("text.words", version: 1)
///     var text: String
///     func run(in context: JobContext) async throws -> Int { text.split(separator: " ").count }
/// }
/// ```
///
/// A `Codable` type with a `Codable` output needs nothing more: both travel as JSON. A kind on a hot path
/// implements ``init(input:)``, ``encodeInput(into:)``, ``encodeOutput(_:into:)`` and
/// ``decodeOutput(from:)`` by reading and writing a `ByteBuffer` directly. A kind whose work is CPU-bound
/// conforms to ``ComputeJob`` instead, so that it runs on a slot's thread.
public protocol Job: Sendable {
    associatedtype Output: Sendable

    /// The kind's stable, versioned name. Change the version whenever the input, output or meaning changes.
    static var kind: JobKindName { get }

    /// Reads the input that ``encodeInput(into:)`` wrote; throws an error that names the field that is wrong.
    init(input buffer: inout ByteBuffer) throws

    /// Appends the job's input.
    func encodeInput(into buffer: inout ByteBuffer) throws

    /// Appends an output.
    static func encodeOutput(_ output: Output, into buffer: inout ByteBuffer) throws

    /// Reads the output that ``encodeOutput(_:into:)`` wrote.
    static func decodeOutput(from buffer: inout ByteBuffer) throws -> Output

    /// Does the job, on a worker. What it throws fails the job: a ``JobFailure`` as it is, anything else as
    /// `job-failed` with the error's description.
    func run(in context: JobContext) async throws -> Output

    /// Runs the jobs of a batch in one slot, one after another, each ending on its own.
    static func runBatch(_ jobs: [Self], in context: JobContext) async -> [Result<Output, JobFailure>]

    /// The input as a job log shows it; by default the value's description.
    var inputDescription: String { get }

    /// Whether a run starts a process of its own, as a command does; by default false. A process pool runs
    /// such a kind from the worker itself: a child in between would add a hop, and could not stop the
    /// process if it were killed.
    static var spawnsProcess: Bool { get }
}

extension Job {
    @inlinable
    public static func runBatch(_ jobs: [Self], in context: JobContext) async -> [Result<Output, JobFailure>] {
        var outputs: [Result<Output, JobFailure>] = []
        outputs.reserveCapacity(jobs.count)
        for job in jobs {
            do {
                outputs.append(.success(try await job.run(in: context)))
            } catch {
                outputs.append(.failure(JobFailure(error, kind: Self.kind)))
            }
        }
        return outputs
    }

    @inlinable
    public var inputDescription: String { String(describing: self) }

    @inlinable
    public static var spawnsProcess: Bool { false }
}

extension Job where Output == Void {
    @inlinable
    public static func encodeOutput(_ output: Void, into buffer: inout ByteBuffer) throws {}

    @inlinable
    public static func decodeOutput(from buffer: inout ByteBuffer) throws {}
}
