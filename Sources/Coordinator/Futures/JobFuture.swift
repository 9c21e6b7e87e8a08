import FanoutProtocol
import NIOCore

/// A submitted job whose output is an `Output`: pending, then running, then finished, failed or cancelled.
public struct JobFuture<Output: Sendable>: Sendable, Hashable, CustomStringConvertible {
    /// The same future without its output type, for waiting on futures of different kinds together.
    public let erased: AnyJobFuture
    private let decode: @Sendable (inout ByteBuffer) throws -> Output

    @usableFromInline
    init(erased: AnyJobFuture, decode: @escaping @Sendable (inout ByteBuffer) throws -> Output) {
        self.erased = erased
        self.decode = decode
    }

    public var id: JobID { self.erased.id }
    public var state: JobState { self.erased.state }
    public var isDone: Bool { self.erased.isDone }
    /// The worker running the job or that ran it last, as `host:port`.
    public var worker: String? { self.erased.worker }

    /// Cancels the job if it has not started: true when it is now cancelled, false when it is running or done.
    @discardableResult
    public func cancel() -> Bool { self.erased.cancel() }

    /// The job's output; throws a ``JobError`` when it failed or was cancelled.
    public var value: Output {
        get async throws {
            try self.decoded(try await self.erased.outcome())
        }
    }

    /// How long the job waited and ran on the worker that answered it; nil until then.
    public var timing: JobTiming? { self.erased.timing }

    /// The output of a finished job without waiting; throws the job's error, or a ``ClusterError`` with code `notDone` while
    /// it is pending or running.
    public func result() throws -> Output {
        switch self.erased.currentOutcome {
        case .output(let output)?:
            return try self.decoded(output)
        case .failure(let error)?:
            throw error
        case nil:
            throw ClusterError(.notDone, "\(self.id) is not done yet")
        }
    }

    /// `output` decoded; throws a ``JobError`` naming what does not decode.
    private func decoded(_ output: ByteBuffer) throws -> Output {
        var buffer = output
        do {
            let value = try self.decode(&buffer)
            guard buffer.readableBytes == 0 else {
                throw ProtocolError(.trailingBytes, "\(buffer.readableBytes) bytes are left after the last field")
            }
            return value
        } catch {
            throw JobError(
                job: self.id,
                kind: self.erased.kind,
                worker: self.worker,
                attempts: self.erased.attempts,
                reason: .undecodableOutput((error as? ProtocolError)?.message ?? "\(error)")
            )
        }
    }

    /// The error the job ended with, if it failed or was cancelled.
    public var error: JobError? { self.erased.error }

    public static func == (lhs: JobFuture, rhs: JobFuture) -> Bool { lhs.erased == rhs.erased }

    public func hash(into hasher: inout Hasher) { hasher.combine(self.erased) }

    public var description: String { self.erased.description }
}
