import FanoutProtocol
import NIOCore

/// The kinds of job a worker runs, in the order its hello lists them, each with the batch kind made of it.
///
/// A user's worker registers its own kinds, and the built-in ones if it wants them:
///
/// ```swift
/// let kinds = try JobKinds([PiEstimate.self] + BuiltinJobs.kinds)
/// ```
public struct JobKinds: Sendable {
    /// The longest name a kind may be registered under: its batch kind's name is longer by ``JobKindName/batchSuffix``.
    public static let maximumNameLength = JobKindName.maximumLength - JobKindName.batchSuffix.utf8.count

    /// Every kind's name, a kind's place being its ``JobKindID`` on a connection.
    public private(set) var names: [JobKindName] = []
    private var kinds: [RegisteredKind] = []
    private var index: [JobKindName: Int] = [:]

    public init() {}

    /// - Throws: ``JobKindsError`` when a name is invalid or taken twice.
    public init(_ kinds: [any Job.Type]) throws {
        for kind in kinds {
            try self.register(kind)
        }
    }

    /// Adds `kind` and its batch kind.
    ///
    /// - Throws: ``JobKindsError`` with code `invalidName` when the name is empty, too long or holds other
    ///   characters than letters, digits, `.`, `_` and `-`; `duplicateName` when another type has the name.
    public mutating func register<Kind: Job>(_ kind: Kind.Type) throws {
        let name = Kind.kind
        do {
            try name.validate()
        } catch let error as ProtocolError {
            throw JobKindsError(.invalidName, "\(Kind.self): \(error.message)")
        }
        guard name.name.utf8.count <= Self.maximumNameLength else {
            throw JobKindsError(
                .invalidName,
                "\(Kind.self): job kind name \"\(name.name)\" is \(name.name.utf8.count) bytes; at most \(Self.maximumNameLength) are allowed"
            )
        }
        try self.add(RegisteredKind(Kind.self))
        if !(Kind.self is any BatchOfJobs.Type) {
            try self.add(RegisteredKind(JobBatch<Kind>.self))
        }
    }

    private mutating func add(_ kind: RegisteredKind) throws {
        if let taken = self.index[kind.name] {
            throw JobKindsError(
                .duplicateName,
                "job kind \(kind.name) is registered twice: by \(self.kinds[taken].typeName) and by \(kind.typeName)"
            )
        }
        self.index[kind.name] = self.kinds.count
        self.kinds.append(kind)
        self.names.append(kind.name)
    }

    public func contains(_ name: JobKindName) -> Bool { self.index[name] != nil }

    /// Runs the job of kind `id` whose input is `payload`. Never throws: an unknown kind, an input that does
    /// not decode, a run that throws and an output too large to send each become a failure naming the kind.
    public func run(_ id: JobKindID, payload: ByteBuffer, context: JobContext) async -> JobOutcome {
        guard Int(id.rawValue) < self.kinds.count else {
            return .failed(
                JobFailure(code: .unknownJobKind, message: "this worker runs no \(id); it runs \(self.kinds.count) kinds")
            )
        }
        return await self.kinds[Int(id.rawValue)].run(payload, context)
    }
}

/// A registered kind, its types erased: bytes in, bytes out.
private struct RegisteredKind: Sendable {
    let name: JobKindName
    let typeName: String
    let run: @Sendable (ByteBuffer, JobContext) async -> JobOutcome

    init<Kind: Job>(_ kind: Kind.Type) {
        self.name = Kind.kind
        self.typeName = String(reflecting: Kind.self)
        self.run = { payload, context in await Self.run(Kind.self, payload: payload, context: context) }
    }

    private static func run<Kind: Job>(_ kind: Kind.Type, payload: ByteBuffer, context: JobContext) async -> JobOutcome {
        let job: Kind
        do {
            var input = payload
            job = try Kind(input: &input)
            try JobBatch<Kind>.checkConsumed(input)
        } catch {
            return .failed(JobFailure(code: .invalidJob, message: "\(Kind.kind) input does not decode: \(Self.describe(error))"))
        }
        let output: Kind.Output
        do {
            output = try await job.run(in: context)
        } catch {
            return .failed(JobFailure(error, kind: Kind.kind))
        }
        var buffer = ByteBuffer()
        do {
            try Kind.encodeOutput(output, into: &buffer)
        } catch {
            return .failed(JobFailure(code: .jobFailed, message: "\(Kind.kind) output does not encode: \(Self.describe(error))"))
        }
        guard buffer.readableBytes <= context.maximumOutputLength else {
            return .failed(
                JobFailure(
                    code: .jobFailed,
                    message: "\(Kind.kind) output is \(buffer.readableBytes) bytes; a result frame holds at most \(context.maximumOutputLength)"
                        + (Kind.self is any BatchOfJobs.Type ? "; use smaller batches" : "")
                )
            )
        }
        return .ok(buffer)
    }

    private static func describe(_ error: any Error) -> String {
        (error as? ProtocolError)?.message ?? "\(error)"
    }
}
