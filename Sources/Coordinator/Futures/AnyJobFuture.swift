import FanoutLocking
import FanoutProtocol
import NIOCore

/// A submitted job of any kind: its state, where it runs, and how it ended.
///
/// The cluster resolves each future exactly once. ``JobFuture`` adds the job's output type on top.
public final class AnyJobFuture: Sendable, Hashable, CustomStringConvertible {
    public let id: JobID
    let clusterKind: ClusterKind
    /// The job's input, encoded by its kind.
    let input: EncodedInput

    public var kind: JobKindName { self.clusterKind.name }

    enum Outcome: Sendable {
        case output(ByteBuffer)
        case failure(JobError)
    }

    /// What a pending job needs is kept inline; what comes with waiting and ending lives in `settled`, allocated
    /// when first needed, so that a million pending jobs take as little memory as they can.
    private struct Record {
        var state = JobState.pending
        var attempts: UInt16 = 0
        var worker: String?
        /// Nanoseconds since the epoch on the coordinator's clock; 0 for "not yet".
        var submitted: UInt64 = 0
        var sent: UInt64 = 0
        var started: UInt64 = 0
        var settled: Settled?

        var times: JobTimes {
            JobTimes(
                submitted: self.submitted,
                sent: self.sent == 0 ? nil : self.sent,
                started: self.started == 0 ? nil : self.started,
                ended: self.settled?.ended
            )
        }

        mutating func settle() -> Settled {
            if let settled = self.settled { return settled }
            let settled = Settled()
            self.settled = settled
            return settled
        }
    }

    /// The outcome and who waits for it. Only touched under the record's lock.
    private final class Settled {
        var outcome: Outcome?
        /// When the job ended, on the coordinator's clock; here rather than in the record, whose every byte
        /// each pending job pays for.
        var ended: UInt64?
        var timing: JobTiming?
        /// Tasks waiting until the job runs or is done, and until it is done.
        var untilRunning = Waiters<Int, Void>()
        var untilDone = Waiters<Int, Void>()
        var nextWaiter = 0
        var observers: [@Sendable (AnyJobFuture) -> Void] = []
    }

    private let record = Locked(Record())
    init(id: JobID, kind: ClusterKind, input: EncodedInput) {
        self.id = id
        self.clusterKind = kind
        self.input = input
        self.record.withLock { $0.submitted = WireClock.now }
    }

    /// When the job was submitted, last sent to a worker, started and ended, on the coordinator's clock.
    public var times: JobTimes { self.record.withLock { $0.times } }

    public var state: JobState { self.record.withLock { $0.state } }

    public var isDone: Bool { self.state.isDone }

    /// The worker running the job or that ran it last, as `host:port`.
    public var worker: String? { self.record.withLock { $0.worker } }

    /// How long the job waited and ran on the worker that answered it; nil until then.
    public var timing: JobTiming? { self.record.withLock { $0.settled?.timing } }

    /// How many times the job was given to a worker.
    public var attempts: Int { self.record.withLock { Int($0.attempts) } }

    /// Cancels the job if it has not started: true when it is now cancelled, false when it is running or done.
    @discardableResult
    public func cancel() -> Bool {
        switch self.state {
        case .cancelled: return true
        case .running, .finished, .failed: return false
        case .pending: return self.clusterKind.canceller?.cancel(self) ?? false
        }
    }

    /// Waits until the job is done, however it ended.
    public func waitUntilDone() async {
        await self.waitUntil(running: false)
    }

    /// Waits until a worker has started the job, or it is done.
    public func waitUntilRunning() async {
        await self.waitUntil(running: true)
    }

    /// Waits until the job is done, or, with `running`, until it is running or done.
    private func waitUntil(running: Bool) async {
        func reached(_ state: JobState) -> Bool { running ? state != .pending : state.isDone }
        let id = self.record.withLock { record -> Int? in
            guard !reached(record.state) else { return nil }
            let settled = record.settle()
            defer { settled.nextWaiter += 1 }
            return settled.nextWaiter
        }
        guard let id else { return }
        await suspend(ifCancelled: ()) { waiter in
            self.record.withLock { record in
                if reached(record.state) { return .now(()) }
                let settled = record.settle()
                return running ? settled.untilRunning.park(waiter, as: id) : settled.untilDone.park(waiter, as: id)
            }
        } unpark: {
            self.record.withLock { record in
                running ? record.settled?.untilRunning.take(id) : record.settled?.untilDone.take(id)
            }
        }
    }

    /// Takes the waiters whose milestone the record's state has now reached.
    private static func satisfiedWaiters(_ record: inout Record) -> [Waiter<Void>] {
        guard let settled = record.settled, record.state != .pending else { return [] }
        let running = settled.untilRunning.takeAll()
        return record.state.isDone ? running + settled.untilDone.takeAll() : running
    }

    /// The output, or the error that took its place; waits until the job is done.
    func outcome() async throws -> ByteBuffer {
        await self.waitUntilDone()
        try Task.checkCancellation()
        switch self.currentOutcome {
        case .output(let output)?: return output
        case .failure(let error)?: throw error
        case nil: throw CancellationError()
        }
    }

    /// Calls `observer` once, when the job is done; at once if it already is.
    func onCompletion(_ observer: @escaping @Sendable (AnyJobFuture) -> Void) {
        let done = self.record.withLock { record in
            if record.state.isDone { return true }
            record.settle().observers.append(observer)
            return false
        }
        if done { observer(self) }
    }

    /// Records that `worker` has the job, for a new attempt.
    func assign(to worker: String) {
        self.record.withLock { record in
            guard !record.state.isDone else { return }
            record.worker = worker
            record.attempts &+= 1
            record.sent = WireClock.now
        }
    }

    /// Back to pending, for a job that returns to the queue after its worker was lost.
    func markPending() {
        self.record.withLock { record in
            if record.state == .running { record.state = .pending }
        }
    }

    /// Takes back the last attempt, for a sending the worker refused without running the job.
    func withdrawAttempt() {
        self.record.withLock { record in
            if !record.state.isDone, record.attempts > 0 { record.attempts -= 1 }
        }
    }

    /// Pending to running; false when the job is no longer pending.
    @discardableResult
    func markRunning() -> Bool {
        let woken = self.record.withLock { record -> [Waiter<Void>]? in
            guard record.state == .pending else { return nil }
            record.state = .running
            record.started = WireClock.now
            return Self.satisfiedWaiters(&record)
        }
        woken?.forEach { $0.resume() }
        return woken != nil
    }

    /// Resolves the job unless it already is; false when it was.
    @discardableResult
    func resolve(_ outcome: Outcome, cancelled: Bool = false, timing: JobTiming? = nil) -> Bool {
        let woken = self.record.withLock { record -> (waiters: [Waiter<Void>], observers: [@Sendable (AnyJobFuture) -> Void])? in
            guard !record.state.isDone else { return nil }
            let settled = record.settle()
            settled.outcome = outcome
            settled.timing = timing
            settled.ended = WireClock.now
            switch outcome {
            case .output: record.state = .finished
            case .failure: record.state = cancelled ? .cancelled : .failed
            }
            defer { settled.observers = [] }
            return (Self.satisfiedWaiters(&record), settled.observers)
        }
        guard let woken else { return false }
        woken.waiters.forEach { $0.resume() }
        woken.observers.forEach { $0(self) }
        return true
    }

    /// Resolves the job as cancelled unless it is already done.
    @discardableResult
    func resolveCancelled() -> Bool {
        let error = JobError(job: self.id, kind: self.kind, worker: self.worker, attempts: self.attempts, reason: .cancelled)
        return self.resolve(.failure(error), cancelled: true)
    }

    /// How the job ended; nil while it has not.
    var currentOutcome: Outcome? { self.record.withLock { $0.settled?.outcome } }

    /// What a report says of the job, read under one lock.
    var reported: (worker: String?, timing: JobTiming?, attempts: Int, times: JobTimes, state: JobState, outcome: Outcome?) {
        self.record.withLock { record in
            (record.worker, record.settled?.timing, Int(record.attempts), record.times, record.state, record.settled?.outcome)
        }
    }

    /// The error the job ended with, if it failed or was cancelled.
    public var error: JobError? {
        guard case .failure(let error)? = self.currentOutcome else { return nil }
        return error
    }

    public static func == (lhs: AnyJobFuture, rhs: AnyJobFuture) -> Bool { lhs === rhs }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(self))
    }

    public var description: String {
        let (state, worker) = self.record.withLock { ($0.state, $0.worker) }
        return "<JobFuture \(self.id.rawValue) \(self.kind) state=\(state)\(worker.map { " worker=\($0)" } ?? "")>"
    }
}
