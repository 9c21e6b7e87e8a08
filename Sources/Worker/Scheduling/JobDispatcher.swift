import FanoutJobs
import FanoutLocking
import FanoutProtocol
import Logging
import NIOCore

/// Takes jobs from every session, queues them in front of the pool's slots, runs them, and sends each
/// session its `started` and `result` messages.
final class JobDispatcher: Sendable {
    /// Each slot's task, and the job handed to it.
    private struct Slots {
        /// Slot tasks waiting for a job.
        var waiting = Waiters<Int, QueuedJob?>()
        /// Jobs started in a slot whose task has not come back to wait yet.
        var handedOver: [Int: QueuedJob] = [:]
        var finished = false
        /// The job each busy slot runs, for a cancel or its session's end to stop.
        var running: [Int: RunningJob] = [:]
        /// A job told to stop after it left the queue but before its run began; cleared by the slot's next run.
        var stoppedBeforeStart: [Int: (job: JobID, session: SessionID, reason: JobStopReason)] = [:]
    }

    private struct RunningJob {
        let job: JobID
        let session: SessionID
        /// Stopped by cancelling its task alone: it runs in this process, not in the pool's child.
        let spawnsProcess: Bool
        let run: JobRun
        /// Sends the job's result with `outcome`, once ``JobRun/answer()`` has been claimed.
        let send: @Sendable (JobOutcome) -> Void
    }

    private let executor: any SlotExecutor
    /// The kinds this worker runs, by ``JobKindID``: their names for messages, and which start processes.
    private let kinds: JobKinds
    private let scheduler: Locked<SlotScheduler>
    private let slots = Locked(Slots())
    private let clock: WallClock
    private let metrics: WorkerMetrics?
    private let logger: Logger

    init(
        executor: any SlotExecutor,
        kinds: JobKinds,
        queueCapacity: Int,
        clock: WallClock = .system,
        metrics: WorkerMetrics? = nil,
        logger: Logger
    ) {
        self.executor = executor
        self.kinds = kinds
        self.clock = clock
        self.metrics = metrics
        self.scheduler = Locked(SlotScheduler(slotCount: executor.slotCount, queueCapacity: queueCapacity))
        self.logger = logger
    }

    /// Runs a task per slot until ``finish()``, then waits for the jobs still running in them; jobs computed on
    /// the pool's threads are the executor's to wait for.
    ///
    /// A job that finds its slot free goes straight to a pool thread or its event loop when it runs there alone,
    /// else to that slot's waiting task: one hand-off at most.
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
            return slots.waiting.takeAll()
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
        await suspend(ifCancelled: nil) { slotTask in
            self.slots.withLock { slots in
                if let job = slots.handedOver.removeValue(forKey: slot) { return .now(job) }
                // Cancelled: finished here and now, under the lock, so that no job is handed over to a slot
                // task that is leaving.
                if Task.isCancelled { slots.finished = true }
                if slots.finished { return .now(nil) }
                return slots.waiting.park(slotTask, as: slot)
            }
        } unpark: {
            // A slot task is cancelled only when the dispatcher is torn down: finish it, which resumes every
            // waiting slot with nil, this one too.
            self.finish()
            return nil
        }
    }

    /// Starts `job` in `slot`, which the scheduler has just found free: on a pool thread or its event loop when
    /// it can run there alone, else in the slot's task.
    private func start(_ job: QueuedJob, in slot: Int) {
        if self.runWithoutTask(job, in: slot) { return }
        enum Handing {
            case resume(Waiter<QueuedJob?>)
            case handedOver
            case finished
        }
        let handing = self.slots.withLock { slots -> Handing in
            guard !slots.finished else { return .finished }
            if let waiter = slots.waiting.take(slot) { return .resume(waiter) }
            slots.handedOver[slot] = job
            return .handedOver
        }
        switch handing {
        case .resume(let waiter):
            waiter.resume(returning: job)
        case .handedOver:
            break
        case .finished:
            self.turnAway(job, from: slot)
        }
    }

    /// Answers `job`, and every job queued behind it for `slot`, shutting-down: turned away, not lost, as the
    /// coordinator sends them elsewhere. For a slot that can run nothing more: its task has finished, or the
    /// pool's threads have stopped.
    private func turnAway(_ job: QueuedJob, from slot: Int) {
        var next: QueuedJob? = job
        while let job = next {
            self.metrics?.refused(because: .shuttingDown)
            job.outbox.complete(
                JobResult(
                    jobID: job.submit.jobID,
                    attempt: job.submit.attempt,
                    outcome: .failed(JobFailure(code: .shuttingDown, message: "the worker is shutting down")),
                    slot: nil
                )
            )
            next = self.next(in: slot)
        }
    }

    /// Runs `job` with no task when it has nothing to race (no timeout) and its kind runs alone on a pool thread
    /// or an event loop: that thread or loop answers it and starts the slot's next job. Returns false, doing
    /// nothing, for any other job.
    private func runWithoutTask(_ job: QueuedJob, in slot: Int) -> Bool {
        guard job.submit.timeoutNanoseconds == 0, self.executor.runsWithoutTask(job.submit.kind) else { return false }
        guard let (running, started) = self.prepare(job, in: slot) else {
            self.startNext(in: slot)
            return true
        }
        self.executor.start(job.submit, slot: slot, on: job.eventLoop, started: started) { outcome in
            if case .answer = running.run.answer() { running.send(outcome) }
            self.slots.withLock { _ = $0.running.removeValue(forKey: slot) }
            guard let next = self.next(in: slot) else { return }
            if case .failed(let failure) = outcome, failure.code == .shuttingDown {
                // The pool's threads have stopped, and answer at once: starting the next job here would recurse
                // once per queued job.
                self.turnAway(next, from: slot)
            } else {
                self.start(next, in: slot)
            }
        }
        return true
    }

    /// `slot` is done with its job: starts the next one queued, if any.
    private func startNext(in slot: Int) {
        if let next = self.next(in: slot) { self.start(next, in: slot) }
    }

    /// The next job queued for `slot`, now that it is free; nil when none waits.
    private func next(in slot: Int) -> QueuedJob? {
        var next = self.scheduler.withLock { $0.finish(slot: slot) }
        // A job whose session closed while it waited is skipped, not run for nobody.
        while let skipped = next, skipped.outbox.isClosed {
            next = self.scheduler.withLock { $0.finish(slot: slot) }
        }
        return next
    }

    /// The session is gone: its queued jobs are dropped, and its running jobs stopped where the pool can stop
    /// them (a command's process group, a process-pool child; not a thread). Returns the tasks of the commands
    /// it stopped, which end once the commands have exited.
    func endSession(_ session: SessionID) -> [Task<Void, Never>] {
        let (dropped, running) = self.scheduler.withLock { ($0.removeQueued(of: session), $0.running(of: session)) }
        if !dropped.isEmpty || !running.isEmpty {
            self.logger.debug(
                "a closed session's jobs are dropped",
                metadata: ["worker.session": "\(session.rawValue)", "jobs.queued": "\(dropped.count)", "jobs.running": "\(running.count)"]
            )
        }
        return running.compactMap { slot, job in
            self.stop(job, of: session, in: slot, because: .sessionClosed)
        }
    }

    /// Queues `submit` for `session`, or starts it at once in a free slot; its messages go to `outbox`, and
    /// `eventLoop` is its connection's.
    func submit(_ submit: Submit, from session: SessionID, origin: JobOrigin, outbox: SessionOutbox, on eventLoop: any EventLoop) {
        let job = QueuedJob(submit: submit, session: session, origin: origin, outbox: outbox, eventLoop: eventLoop, enqueuedAt: .now)
        switch self.scheduler.withLock({ $0.submit(job) }) {
        case .start(let job, let slot):
            self.start(job, in: slot)
        case .queued:
            break
        case .queueFull(let capacity):
            self.metrics?.refused(because: .queueFull)
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

    /// Slots busy and jobs queued now.
    var load: (slots: Int, busy: Int, queued: Int) {
        self.scheduler.withLock { (self.executor.slotCount, $0.runningCount, $0.queuedCount) }
    }

    /// Answers `jobID` as cancelled, and stops it if it has started and the pool can stop it.
    func cancel(_ jobID: JobID, of session: SessionID) {
        enum Found {
            case queued(QueuedJob)
            case running(slot: Int)
        }
        let found = self.scheduler.withLock { scheduler -> Found? in
            if let job = scheduler.cancel(jobID, of: session) { return .queued(job) }
            return scheduler.slot(running: jobID, of: session).map { .running(slot: $0) }
        }
        switch found {
        case .queued(let job):
            self.metrics?.answered(job.submit.kind, .cancelled)
            job.outbox.complete(
                JobResult(
                    jobID: jobID,
                    attempt: job.submit.attempt,
                    outcome: .cancelled,
                    slot: nil,
                    queueNanoseconds: Self.nanoseconds(from: job.enqueuedAt, to: .now)
                )
            )
        case .running(let slot):
            _ = self.stop(jobID, of: session, in: slot, because: .cancelled)
        case nil:
            break
        }
    }

    /// Answers the job in `slot` as cancelled and stops it, or, when its run has not begun, marks it so that it
    /// never does. Returns the task running it when it starts a process, which ends once the process has.
    private func stop(_ jobID: JobID, of session: SessionID, in slot: Int, because reason: JobStopReason) -> Task<Void, Never>? {
        let answered = self.slots.withLock { slots -> (RunningJob, Task<Void, Never>?)? in
            guard let running = slots.running[slot], running.job == jobID, running.session == session else {
                slots.stoppedBeforeStart[slot] = (jobID, session, reason)
                return nil
            }
            guard case .answer(let execution) = running.run.answer() else { return nil }
            // Under the lock, while the slot still runs this job: the pool's mark or kill cannot reach the job
            // the slot takes next.
            if !running.spawnsProcess { self.executor.abandon(jobID, in: slot, because: reason) }
            return (running, execution)
        }
        guard let (running, execution) = answered else { return nil }
        running.send(.cancelled)
        execution?.cancel()
        return running.spawnsProcess ? execution : nil
    }

    /// Runs jobs in one slot's task for as long as the queue feeds it, or until one runs without a task.
    private func execute(_ first: QueuedJob, in slot: Int) async {
        var next: QueuedJob? = first
        while let job = next {
            await self.run(job, in: slot)
            next = self.next(in: slot)
            if let job = next, self.runWithoutTask(job, in: slot) { return }
        }
    }

    /// Records `job` as running in `slot`, with how to post its `started` and send its result. Nil when it was
    /// stopped before its run began: it has been answered cancelled.
    private func prepare(_ job: QueuedJob, in slot: Int) -> (RunningJob, started: @Sendable () -> Void)? {
        let submit = job.submit
        let outbox = job.outbox
        let startedAt = ContinuousClock.now
        let startedAtWallClock = self.clock.now()
        let queueNanoseconds = Self.nanoseconds(from: job.enqueuedAt, to: startedAt)
        let started: @Sendable () -> Void = {
            outbox.post(.started(Started(jobID: submit.jobID, attempt: submit.attempt, slot: UInt16(slot))))
        }
        let metrics = self.metrics
        let send: @Sendable (JobOutcome) -> Void = { outcome in
            metrics?.answered(submit.kind, outcome)
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
        }
        let running = RunningJob(
            job: submit.jobID,
            session: job.session,
            spawnsProcess: self.kinds.spawnsProcess(submit.kind),
            run: JobRun(),
            send: send
        )
        guard self.begin(running, in: slot) else {
            send(.cancelled)
            return nil
        }
        return (running, started)
    }

    /// Runs `job` in `slot`'s task; returns once it has been answered and its run is over.
    private func run(_ job: QueuedJob, in slot: Int) async {
        guard let (running, started) = self.prepare(job, in: slot) else { return }
        defer { self.slots.withLock { _ = $0.running.removeValue(forKey: slot) } }
        let (submit, origin, run, send, spawnsProcess) = (job.submit, job.origin, running.run, running.send, running.spawnsProcess)

        guard submit.timeoutNanoseconds > 0 || spawnsProcess else {
            // Nothing to race and nothing a cancel could stop but a process-pool child: run it in this slot's
            // task, without a task per job.
            let outcome = await self.executor.execute(submit, slot: slot, origin: origin, started: started)
            if case .answer = run.answer() { send(outcome) }
            return
        }
        // A task of its own, so that a timeout, a cancel or the session's end can stop it.
        let execution = Task {
            let outcome = await self.executor.execute(submit, slot: slot, origin: origin, started: started)
            if case .answer = run.answer() { send(outcome) }
        }
        if !run.attach(execution) { execution.cancel() }
        await withTaskCancellationHandler {
            guard submit.timeoutNanoseconds > 0 else { return await execution.value }
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        try await Task.sleep(nanoseconds: submit.timeoutNanoseconds)
                    } catch {
                        return
                    }
                    guard case .answer(let execution) = run.answer() else { return }
                    send(
                        .failed(
                            JobFailure(
                                code: .jobTimedOut,
                                message: "\(self.kindName(submit.kind)) job ran past its timeout of \(Self.describe(nanoseconds: submit.timeoutNanoseconds))"
                            )
                        )
                    )
                    execution?.cancel()
                    // The slot cannot move on before this task group ends, so the pool's mark or kill reaches
                    // this job alone.
                    if !spawnsProcess { self.executor.abandon(submit.jobID, in: slot, because: .timedOut) }
                }
                // The slot stays taken until the job returns: a CPU job on a thread cannot be interrupted.
                await execution.value
                group.cancelAll()
            }
        } onCancel: {
            execution.cancel()
        }
    }

    /// Records `job` as running in `slot`; false when it was stopped before its run began.
    private func begin(_ job: RunningJob, in slot: Int) -> Bool {
        self.slots.withLock { slots in
            // A slot runs one job at a time: a mark for any other job is stale.
            defer { slots.stoppedBeforeStart[slot] = nil }
            if let stopped = slots.stoppedBeforeStart[slot], stopped.job == job.job, stopped.session == job.session {
                _ = job.run.answer()
                return false
            }
            slots.running[slot] = job
            return true
        }
    }

    private func kindName(_ id: JobKindID) -> String {
        let names = self.kinds.names
        return names.indices.contains(Int(id.rawValue)) ? "\(names[Int(id.rawValue)])" : "\(id)"
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
