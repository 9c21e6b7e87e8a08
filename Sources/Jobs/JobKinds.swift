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

    /// - Throws: ``JobSetupError`` when a name is invalid or taken twice.
    public init(_ kinds: [any Job.Type]) throws {
        for kind in kinds {
            try self.register(kind)
        }
    }

    /// Adds `kind` and its batch kind.
    ///
    /// - Throws: ``JobSetupError`` with code `invalidName` when the name is empty, too long or holds other
    ///   characters than letters, digits, `.`, `_` and `-`; `duplicateName` when another type has the name.
    @inlinable
    public mutating func register<Kind: Job>(_ kind: Kind.Type) throws {
        try Self.checkName(of: Kind.self)
        try self.add(RegisteredKind(Kind.self))
        if !(Kind.self is any BatchOfJobs.Type) {
            try self.add(RegisteredKind(batchOf: Kind.self))
        }
    }

    /// Adds `kind` and its batch kind. Called with a type known where it is called, the kind's runners are
    /// compiled for that type, without the generic code's cost per job.
    @inlinable
    public mutating func register<Kind: ComputeJob>(_ kind: Kind.Type) throws {
        try Self.checkName(of: Kind.self)
        try self.add(RegisteredKind(computing: Kind.self))
        try self.add(RegisteredKind(computingBatchOf: Kind.self))
    }

    @usableFromInline
    static func checkName<Kind: Job>(of kind: Kind.Type) throws {
        let name = Kind.kind
        do {
            try name.validate()
        } catch let error as ProtocolError {
            throw JobSetupError(.invalidName, "\(Kind.self): \(error.message)")
        }
        guard name.name.utf8.count <= Self.maximumNameLength else {
            throw JobSetupError(
                .invalidName,
                "\(Kind.self): job kind name \"\(name.name)\" is \(name.name.utf8.count) bytes; at most \(Self.maximumNameLength) are allowed"
            )
        }
    }

    @usableFromInline
    mutating func add(_ kind: RegisteredKind) throws {
        if let taken = self.index[kind.name] {
            throw JobSetupError(
                .duplicateName,
                "job kind \(kind.name) is registered twice: by \(self.kinds[taken].typeName) and by \(kind.typeName)"
            )
        }
        self.index[kind.name] = self.kinds.count
        self.kinds.append(kind)
        self.names.append(kind.name)
    }

    /// Runs the job of kind `id` whose input is `payload`. Never throws: an unknown kind, an input that does
    /// not decode, a run that throws and an output too large to send each become a failure naming the kind.
    public func run(_ id: JobKindID, payload: ByteBuffer, context: JobContext) async -> JobOutcome {
        guard Int(id.rawValue) < self.kinds.count else {
            return .failed(.unknownKind(id, among: self.kinds.count))
        }
        return await self.kinds[Int(id.rawValue)].run(payload, context)
    }

    /// Whether jobs of kind `id` are computed on a thread alone: a ``ComputeJob`` kind, or a batch of one.
    public func computesOnThread(_ id: JobKindID) -> Bool {
        Int(id.rawValue) < self.kinds.count && self.kinds[Int(id.rawValue)].compute != nil
    }

    /// Runs the job of kind `id` on the calling thread, which it blocks, when ``computesOnThread(_:)``; nil for
    /// any other kind. For a worker's own pool threads: outcomes as ``run(_:payload:context:)`` gives them.
    public func compute(_ id: JobKindID, payload: ByteBuffer, maximumOutputLength: Int) -> JobOutcome? {
        guard Int(id.rawValue) < self.kinds.count, let compute = self.kinds[Int(id.rawValue)].compute else { return nil }
        return compute(payload, maximumOutputLength)
    }

    /// Whether jobs of kind `id` run on an event loop alone: an ``EventLoopJob`` kind.
    public func runsOnEventLoop(_ id: JobKindID) -> Bool {
        Int(id.rawValue) < self.kinds.count && self.kinds[Int(id.rawValue)].startOnLoop != nil
    }

    /// Starts the job of kind `id` on `eventLoop`, on which it is called, when ``runsOnEventLoop(_:)``; nil for
    /// any other kind. Its outcome is as ``run(_:payload:context:)`` gives it.
    public func start(
        _ id: JobKindID,
        payload: ByteBuffer,
        on eventLoop: any EventLoop,
        maximumOutputLength: Int
    ) -> EventLoopFuture<JobOutcome>? {
        guard Int(id.rawValue) < self.kinds.count, let start = self.kinds[Int(id.rawValue)].startOnLoop else { return nil }
        return start(payload, eventLoop, maximumOutputLength)
    }

    /// Whether jobs of kind `id` start a process of their own (see ``Job/spawnsProcess``); false for a kind
    /// not registered.
    public func spawnsProcess(_ id: JobKindID) -> Bool {
        Int(id.rawValue) < self.kinds.count && self.kinds[Int(id.rawValue)].spawnsProcess
    }

    /// Whether any kind starts a process of its own.
    public var anySpawnsProcess: Bool { self.kinds.contains(where: \.spawnsProcess) }
}

/// A registered kind, its types erased: bytes in, bytes out.
///
/// A ``ComputeJob`` kind, and its batch kind, are decoded, run and encoded in one trip to a worker thread, so
/// that not even their inputs and outputs are worked on in the Swift concurrency pool. An ``EventLoopJob`` kind
/// is decoded, started and encoded on an event loop.
@usableFromInline
struct RegisteredKind: Sendable {
    @usableFromInline let name: JobKindName
    @usableFromInline let typeName: String
    @usableFromInline let spawnsProcess: Bool
    @usableFromInline let run: @Sendable (ByteBuffer, JobContext) async -> JobOutcome
    /// For a ``ComputeJob`` kind, the whole job on the calling thread: input bytes and the output limit in,
    /// outcome out.
    @usableFromInline let compute: (@Sendable (ByteBuffer, Int) -> JobOutcome)?
    /// For an ``EventLoopJob`` kind, the whole job started on the event loop given, on which it is called: input
    /// bytes, the loop and the output limit in, the outcome's future out.
    @usableFromInline let startOnLoop: (@Sendable (ByteBuffer, any EventLoop, Int) -> EventLoopFuture<JobOutcome>)?

    @usableFromInline
    init(
        name: JobKindName,
        typeName: String,
        spawnsProcess: Bool = false,
        run: @escaping @Sendable (ByteBuffer, JobContext) async -> JobOutcome,
        compute: (@Sendable (ByteBuffer, Int) -> JobOutcome)? = nil,
        startOnLoop: (@Sendable (ByteBuffer, any EventLoop, Int) -> EventLoopFuture<JobOutcome>)? = nil
    ) {
        self.name = name
        self.typeName = typeName
        self.spawnsProcess = spawnsProcess
        self.run = run
        self.compute = compute
        self.startOnLoop = startOnLoop
    }

    @usableFromInline
    init<C: ComputeJob>(name: JobKindName, typeName: String, computing kind: C.Type, compute: @escaping @Sendable (ByteBuffer, Int) -> JobOutcome) {
        self.init(name: name, typeName: typeName, run: Self.onThread(C.self, compute), compute: compute)
    }

    /// A kind known here only as a `Job`: one that is a ``ComputeJob`` still runs on a thread, and one that is an
    /// ``EventLoopJob`` on an event loop.
    @inlinable
    init<Kind: Job>(_ kind: Kind.Type) {
        if let computing = Kind.self as? any ComputeJob.Type {
            self.init(computing: computing)
        } else if let looping = Kind.self as? any EventLoopJob.Type {
            self.init(looping: looping)
        } else {
            self.init(name: Kind.kind, typeName: String(reflecting: Kind.self), spawnsProcess: Kind.spawnsProcess) { payload, context in
                await Self.ran(Kind.self, payload: payload, context: context)
            }
        }
    }

    @inlinable
    init<L: EventLoopJob>(looping kind: L.Type) {
        self.init(
            name: L.kind,
            typeName: String(reflecting: L.self),
            spawnsProcess: L.spawnsProcess,
            run: { payload, context in await Self.ran(L.self, payload: payload, context: context) },
            startOnLoop: { payload, eventLoop, limit in Self.started(L.self, payload: payload, on: eventLoop, limit: limit) }
        )
    }

    /// The batch kind of a kind known here only as a `Job`.
    @inlinable
    init<Item: Job>(batchOf item: Item.Type) {
        if let computing = Item.self as? any ComputeJob.Type {
            self.init(computingBatchOf: computing)
        } else {
            self.init(
                name: JobBatch<Item>.kind,
                typeName: String(reflecting: JobBatch<Item>.self),
                spawnsProcess: Item.spawnsProcess
            ) { payload, context in
                await Self.ran(JobBatch<Item>.self, payload: payload, context: context)
            }
        }
    }

    @inlinable
    init<C: ComputeJob>(computing kind: C.Type) {
        self.init(name: C.kind, typeName: String(reflecting: C.self), computing: C.self) { payload, limit in
            Self.computed(C.self, payload: payload, limit: limit)
        }
    }

    @inlinable
    init<C: ComputeJob>(computingBatchOf kind: C.Type) {
        self.init(name: JobBatch<C>.kind, typeName: String(reflecting: JobBatch<C>.self), computing: C.self) { payload, limit in
            Self.computedBatch(C.self, payload: payload, limit: limit)
        }
    }

    /// Runs `body` on one of the context's threads.
    @inlinable
    static func onThread<C: ComputeJob>(
        _ kind: C.Type,
        _ body: @escaping @Sendable (ByteBuffer, Int) -> JobOutcome
    ) -> @Sendable (ByteBuffer, JobContext) async -> JobOutcome {
        { payload, context in
            let limit = context.maximumOutputLength
            do {
                return try await context.compute { body(payload, limit) }
            } catch {
                return .failed(JobFailure(error, kind: C.kind))
            }
        }
    }

    @inlinable
    static func ran<Kind: Job>(_ kind: Kind.Type, payload: ByteBuffer, context: JobContext) async -> JobOutcome {
        let job: Kind
        switch Self.decode(Kind.self, payload) {
        case .success(let decoded): job = decoded
        case .failure(let failure): return .failed(failure)
        }
        do {
            return Self.encode(Kind.self, try await job.run(in: context), limit: context.maximumOutputLength)
        } catch {
            return .failed(JobFailure(error, kind: Kind.kind))
        }
    }

    @inlinable
    static func started<L: EventLoopJob>(
        _ kind: L.Type,
        payload: ByteBuffer,
        on eventLoop: any EventLoop,
        limit: Int
    ) -> EventLoopFuture<JobOutcome> {
        let job: L
        switch Self.decode(L.self, payload) {
        case .success(let decoded): job = decoded
        case .failure(let failure): return eventLoop.makeSucceededFuture(.failed(failure))
        }
        return job.run(on: eventLoop)
            .map { Self.encode(L.self, $0, limit: limit) }
            .recover { .failed(JobFailure($0, kind: L.kind)) }
    }

    @inlinable
    static func computed<C: ComputeJob>(_ kind: C.Type, payload: ByteBuffer, limit: Int) -> JobOutcome {
        let job: C
        switch Self.decode(C.self, payload) {
        case .success(let decoded): job = decoded
        case .failure(let failure): return .failed(failure)
        }
        do {
            return Self.encode(C.self, try job.compute(), limit: limit)
        } catch {
            return .failed(JobFailure(error, kind: C.kind))
        }
    }

    @inlinable
    static func computedBatch<C: ComputeJob>(_ kind: C.Type, payload: ByteBuffer, limit: Int) -> JobOutcome {
        let batch: JobBatch<C>
        switch Self.decode(JobBatch<C>.self, payload) {
        case .success(let decoded): batch = decoded
        case .failure(let failure): return .failed(failure)
        }
        let outputs = batch.jobs.map { job in Result { try job.compute() }.mapError { JobFailure($0, kind: C.kind) } }
        return Self.encode(JobBatch<C>.self, outputs, limit: limit)
    }

    /// The job `payload` holds, or the failure naming the kind and the field that does not decode.
    @inlinable
    static func decode<Kind: Job>(_ kind: Kind.Type, _ payload: ByteBuffer) -> Result<Kind, JobFailure> {
        do {
            var input = payload
            let job = try Kind(input: &input)
            try JobBatch<Kind>.checkConsumed(input)
            return .success(job)
        } catch {
            return .failure(JobFailure(code: .invalidJob, message: "\(Kind.kind) input does not decode: \(Self.describe(error))"))
        }
    }

    /// `output` encoded, or the failure saying why it cannot be sent.
    @inlinable
    static func encode<Kind: Job>(_ kind: Kind.Type, _ output: Kind.Output, limit: Int) -> JobOutcome {
        var buffer = ByteBuffer()
        do {
            try Kind.encodeOutput(output, into: &buffer)
        } catch {
            return .failed(JobFailure(code: .jobFailed, message: "\(Kind.kind) output does not encode: \(Self.describe(error))"))
        }
        guard buffer.readableBytes <= limit else {
            return .failed(
                JobFailure(
                    code: .jobFailed,
                    message: "\(Kind.kind) output is \(buffer.readableBytes) bytes; a result frame holds at most \(limit)"
                        + (Kind.self is any BatchOfJobs.Type ? "; use smaller batches" : "")
                )
            )
        }
        return .ok(buffer)
    }

    @usableFromInline
    static func describe(_ error: any Error) -> String {
        (error as? ProtocolError)?.message ?? "\(error)"
    }
}

extension JobFailure {
    /// The failure of a job whose kind number `id` is none of the `count` kinds its worker runs.
    public static func unknownKind(_ id: JobKindID, among count: Int) -> JobFailure {
        JobFailure(code: .unknownJobKind, message: "this worker runs no \(id); it runs \(count) kinds")
    }
}
