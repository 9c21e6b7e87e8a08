import FanoutLocking
import FanoutProtocol
import Logging

/// Takes jobs from every session, queues them in front of the pool's slots, runs them, and sends each
/// session its `started` and `result` messages.
final class JobDispatcher: Sendable {
    /// Each slot's task, and the job handed to it.
    private struct Slots {
        /// Slot tasks waiting for a job.
        var waiting: [Int: CheckedContinuation<QueuedJob?, Never>] = [:]
        /// Jobs started in a slot whose task has not come back to wait yet.
        var handedOver: [Int: QueuedJob] = [:]
        var finished = false
    }

    private let executor: any SlotExecutor
    /// The kinds' names, by ``JobKindID``, for messages.
    private let kinds: [JobKindName]
    private let scheduler: Locked<SlotScheduler>
    private let slots = Locked(Slots())
    private let clock: WallClock
    private let logger: Logger

    init(executor: any SlotExecutor, kinds: [JobKindName], queueCapacity: Int, clock: WallClock = .system, logger: Logger) {
        self.executor = executor
        self.kinds = kinds
        self.clock = clock
        self.scheduler = Locked(SlotScheduler(slotCount: executor.slotCount, queueCapacity: queueCapacity))
        self.logger = logger
    }

    /// Runs a task per slot until ``finish()``, then waits for the jobs still running.
    ///
    /// A job that finds its slot free goes straight to that slot's waiting task: one hand-off, where a
    /// stream of starts and a task per start took two.
    func run() async {
        await withDiscardingTaskGroup { group in
            for slot in 0..<self.executor.slotCount {
                group.addTask { await self.serve(slot: slot) }
            }
        }
    }

    /// Stops taking new starts; ``run()`` returns once the running jobs are done.
    func finish() {
        let waiting = self.slots.withLock { slots in
            slots.finished = true
            defer { slots.waiting = [:] }
            return Array(slots.waiting.values)
        }
        waiting.forEach { $0.resume(returning: nil) }
    }

    private func serve(slot: Int) async {
        while let job = await self.nextStart(in: slot) {
            await self.execute(job, in: slot)
        }
    }

    /// The next job started in `slot`; nil once the dispatcher is finished.
    private func nextStart(in slot: Int) async -> QueuedJob? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready: QueuedJob?? = self.slots.withLock { slots in
                    if let job = slots.handedOver.removeValue(forKey: slot) { return .some(job) }
                    if slots.finished || Task.isCancelled { return .some(nil) }
                    slots.waiting[slot] = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            self.finish()
        }
    }

    /// Hands `job` to `slot`'s task, which the scheduler has just found free.
    private func start(_ job: QueuedJob, in slot: Int) {
        let waiter = self.slots.withLock { slots -> CheckedContinuation<QueuedJob?, Never>? in
            guard !slots.finished else { return nil }
            if let waiter = slots.waiting.removeValue(forKey: slot) { return waiter }
            slots.handedOver[slot] = job
            return nil
        }
        waiter?.resume(returning: job)
    }

    /// The session is gone: its queued jobs are dropped; its running jobs finish unheard.
    func dropQueued(of session: SessionID) {
        let dropped = self.scheduler.withLock { $0.removeQueued(of: session) }
        if !dropped.isEmpty {
            self.logger.debug(
                "dropped the queued jobs of a closed session",
                metadata: ["worker.session": "\(session.rawValue)", "jobs": "\(dropped.count)"]
            )
        }
    }

    /// Queues `submit` for `session`, or starts it at once in a free slot; its messages go to `outbox`.
    func submit(_ submit: Submit, from session: SessionID, outbox: SessionOutbox) {
        let job = QueuedJob(submit: submit, session: session, outbox: outbox, enqueuedAt: .now)
        switch self.scheduler.withLock({ $0.submit(job) }) {
        case .start(let job, let slot):
            self.start(job, in: slot)
        case .queued:
            break
        case .queueFull(let capacity):
            outbox.complete(
                JobResult(
                    jobID: submit.jobID,
                    attempt: submit.attempt,
                    outcome: .failed(
                        JobFailure(code: .queueFull, message: "the worker's queue is full (\(capacity) jobs wait)")
                    ),
                    slot: nil
                )
            )
        }
    }

    /// Answers `jobID` as cancelled if it is still queued; a running job goes on and reports its result.
    func cancel(_ jobID: JobID, of session: SessionID) {
        guard let job = self.scheduler.withLock({ $0.cancel(jobID, of: session) }) else { return }
        job.outbox.complete(
            JobResult(
                jobID: jobID,
                attempt: job.submit.attempt,
                outcome: .cancelled,
                slot: nil,
                queueNanoseconds: Self.nanoseconds(from: job.enqueuedAt, to: .now)
            )
        )
    }

    /// Runs jobs in one slot for as long as the queue feeds it.
    private func execute(_ first: QueuedJob, in slot: Int) async {
        var next: QueuedJob? = first
        while let job = next {
            await self.run(job, in: slot)
            next = self.scheduler.withLock { $0.finish(slot: slot) }
            // A job whose session closed while it waited is skipped, not run for nobody.
            while let skipped = next, skipped.outbox.isClosed {
                next = self.scheduler.withLock { $0.finish(slot: slot) }
            }
        }
    }

    private func run(_ job: QueuedJob, in slot: Int) async {
        let submit = job.submit
        let outbox = job.outbox
        let startedAt = ContinuousClock.now
        let startedAtWallClock = self.clock.now()
        let queueNanoseconds = Self.nanoseconds(from: job.enqueuedAt, to: startedAt)
        let started: @Sendable () -> Void = {
            outbox.post(.started(Started(jobID: submit.jobID, attempt: submit.attempt, slot: UInt16(slot))))
        }

        let answered = Locked(false)
        /// Sends the job's one result; false when it has been sent already.
        let answer: @Sendable (JobOutcome) -> Bool = { outcome in
            let first = answered.withLock { done in
                defer { done = true }
                return !done
            }
            guard first else { return false }
            outbox.complete(
                JobResult(
                    jobID: submit.jobID,
                    attempt: submit.attempt,
                    outcome: outcome,
                    slot: UInt16(slot),
                    queueNanoseconds: queueNanoseconds,
                    runNanoseconds: Self.nanoseconds(from: startedAt, to: .now),
                    startedAt: startedAtWallClock
                )
            )
            return true
        }

        guard submit.timeoutNanoseconds > 0 else {
            // No deadline to race: run it in this slot's task, without a child task per job.
            _ = answer(await self.executor.execute(submit, slot: slot, started: started))
            return
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                _ = answer(await self.executor.execute(submit, slot: slot, started: started))
            }
            group.addTask {
                do {
                    try await Task.sleep(nanoseconds: submit.timeoutNanoseconds)
                } catch {
                    return
                }
                let timedOut = answer(
                    .failed(
                        JobFailure(
                            code: .jobTimedOut,
                            message: "\(self.kindName(submit.kind)) job ran past its timeout of \(Self.describe(nanoseconds: submit.timeoutNanoseconds))"
                        )
                    )
                )
                // Only a job that really ran out of time is stopped; one that answered first is left alone.
                if timedOut { self.executor.abandon(submit.jobID, in: slot) }
            }
            // Whichever ends first answers; the other is cancelled. A CPU job on a thread cannot be
            // interrupted, so its slot stays taken until it returns.
            await group.next()
            group.cancelAll()
        }
    }

    private func kindName(_ id: JobKindID) -> String {
        self.kinds.indices.contains(Int(id.rawValue)) ? "\(self.kinds[Int(id.rawValue)])" : "\(id)"
    }

    static func nanoseconds(from start: ContinuousClock.Instant, to end: ContinuousClock.Instant) -> UInt64 {
        let duration = end - start
        guard duration > .zero else { return 0 }
        let (seconds, attoseconds) = duration.components
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }

    static func describe(nanoseconds: UInt64) -> String {
        nanoseconds % 1_000_000 == 0 ? "\(nanoseconds / 1_000_000) ms" : "\(nanoseconds) ns"
    }
}
