#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FanoutJobs
import FanoutLocking
import FanoutProtocol
import Logging
import NIOCore

/// N child processes started from the worker's own binary, each running one job at a time, as Python's
/// `ProcessPoolExecutor`.
///
/// Each slot owns one child. A child that dies fails the job it was running with the signal or exit status
/// and is replaced; at shutdown every child gets the drain message, its poison pill.
final class ProcessPoolExecutor: SlotExecutor {
    let poolKind = PoolKind.processes
    let slotCount: Int

    /// One slot: its child, the job it runs, and the job waiting for it.
    private struct SlotState {
        var pid: pid_t?
        var job: JobID?
        /// A job answered early (past its deadline, cancelled, its session gone) before its child ran it: it is
        /// not sent when its turn comes.
        var abandoned: JobID?
        /// A child that has said hello and has no job: the slot's next job goes straight to it.
        var idleChild: ChildLink?
        /// A job no child has taken yet: the next child to become idle takes it.
        var waiting: ChildRequest?
        /// Whether the slot's supervisor still runs, to start the children that take its jobs.
        var supervised = true
    }

    private struct State {
        var slots: [SlotState]
        /// Supervisors whose child could not start, each waiting for the job to fail in its stead.
        var supervisors = Waiters<Int, ChildRequest?>()
        var stopped = false
    }

    /// Where a job goes.
    private enum Route {
        case child(ChildLink)
        case supervisor(Waiter<ChildRequest?>)
        case waits
        case refused
    }

    private let command: ChildCommand
    /// The kinds this worker runs, which each child's hello must list too, in the same order.
    private let kinds: [JobKindName]
    private let settings: ChildSettings
    private let logger: Logger
    private let state: Locked<State>
    /// Runs the kinds that start a process of their own (see ``Job/spawnsProcess``) from this process, in the
    /// same slots; nil when no kind does.
    private let spawner: (kinds: JobKinds, executor: ThreadPoolExecutor)?

    init(
        size: Int,
        command: ChildCommand,
        kinds: [JobKindName],
        settings: ChildSettings,
        spawner: (kinds: JobKinds, executor: ThreadPoolExecutor)? = nil,
        logger: Logger
    ) {
        // Writing to the pipe of a child that just died raises SIGPIPE, whose default action would end the
        // whole worker; ignored, the write fails with EPIPE and the child's death is handled as such.
        signal(SIGPIPE, SIG_IGN)
        self.slotCount = size
        self.command = command
        self.kinds = kinds
        self.settings = settings
        self.logger = logger
        self.state = Locked(State(slots: Array(repeating: SlotState(), count: size)))
        self.spawner = spawner
    }

    /// The process id of each slot's child, nil while it has none.
    var childProcessIDs: [pid_t?] { self.state.withLock { $0.slots.map(\.pid) } }

    func run() async {
        await withDiscardingTaskGroup { group in
            for slot in 0..<self.slotCount {
                group.addTask { await self.supervise(slot: slot) }
            }
            if let spawner = self.spawner {
                group.addTask { await spawner.executor.run() }
            }
        }
    }

    func execute(_ submit: Submit, slot: Int, origin: JobOrigin, started: @escaping @Sendable () -> Void) async -> JobOutcome {
        if let spawner = self.spawner, spawner.kinds.spawnsProcess(submit.kind) {
            return await spawner.executor.execute(submit, slot: slot, origin: origin, started: started)
        }
        return await withCheckedContinuation { continuation in
            self.route(ChildRequest(submit: submit, started: started) { continuation.resume(returning: $0) }, to: slot)
        }
    }

    func runsWithoutTask(_ kind: JobKindID) -> Bool {
        !(self.spawner?.kinds.spawnsProcess(kind) ?? false)
    }

    func start(
        _ submit: Submit,
        slot: Int,
        on eventLoop: any EventLoop,
        started: @escaping @Sendable () -> Void,
        then done: @escaping @Sendable (JobOutcome) -> Void
    ) {
        self.route(ChildRequest(submit: submit, started: started, done: done), to: slot)
    }

    func abandon(_ job: JobID, in slot: Int, because reason: JobStopReason) {
        let pid = self.state.withLock { state -> pid_t? in
            // Marked even when its child is killed: a job whose child dies before it says the job reached it goes
            // to the next child, which must refuse it.
            state.slots[slot].abandoned = job
            return state.slots[slot].job == job ? state.slots[slot].pid : nil
        }
        guard let pid else { return }
        self.logger.info(
            "job answered early; killing its child",
            metadata: ["worker.slot": "\(slot)", "child.pid": "\(pid)", "reason": "\(reason)"]
        )
        kill(pid, SIGKILL)
    }

    /// Stops taking jobs: each child is drained once the job waiting for it is done.
    func shutdown() {
        let (idle, supervisors) = self.state.withLock { state in
            state.stopped = true
            let idle = state.slots.indices.compactMap { slot -> ChildLink? in
                guard state.slots[slot].waiting == nil else { return nil }
                defer { state.slots[slot].idleChild = nil }
                return state.slots[slot].idleChild
            }
            let supervisors = state.slots.indices.compactMap { slot -> Waiter<ChildRequest?>? in
                guard let supervisor = state.supervisors.take(slot) else { return nil }
                state.slots[slot].supervised = false
                return supervisor
            }
            return (idle, supervisors)
        }
        idle.forEach { $0.give(.drain) }
        supervisors.forEach { $0.resume(returning: nil) }
        self.spawner?.executor.shutdown()
    }

    /// Sends `request` to `slot`'s idle child, or to its supervisor to fail, or keeps it for the next child.
    private func route(_ request: ChildRequest, to slot: Int, returned: Bool = false) {
        let route = self.state.withLock { state -> Route in
            // A job the dispatcher hands over after the stop is refused; one already taken still runs.
            if state.stopped && !returned { return .refused }
            if let child = state.slots[slot].idleChild {
                state.slots[slot].idleChild = nil
                return .child(child)
            }
            if let supervisor = state.supervisors.take(slot) { return .supervisor(supervisor) }
            guard state.slots[slot].supervised else { return .refused }
            state.slots[slot].waiting = request
            return .waits
        }
        switch route {
        case .child(let child):
            child.give(.run(request))
        case .supervisor(let supervisor):
            supervisor.resume(returning: request)
        case .waits:
            break
        case .refused:
            request.done(.failed(JobFailure(code: .shuttingDown, message: "the process pool has stopped")))
        }
    }

    /// What `slot`'s children ask of it.
    private func calls(for slot: Int) -> ChildSlotCalls {
        ChildSlotCalls(
            assign: { child in
                self.state.withLock { state in
                    if let request = state.slots[slot].waiting {
                        state.slots[slot].waiting = nil
                        return .run(request)
                    }
                    if state.stopped { return .drain }
                    state.slots[slot].idleChild = child
                    return .wait
                }
            },
            claim: { job, pid in
                self.state.withLock { state in
                    // A slot has one job at a time: a mark for any other job is stale.
                    defer { state.slots[slot].abandoned = nil }
                    guard state.slots[slot].abandoned != job else { return false }
                    state.slots[slot].job = job
                    state.slots[slot].pid = pid
                    return true
                }
            },
            answered: {
                // Answered: a mark for it is stale now, and could match another session's job of the same id.
                self.state.withLock { state in
                    state.slots[slot].job = nil
                    state.slots[slot].abandoned = nil
                }
            },
            returned: { request in
                self.route(request, to: slot, returned: true)
            }
        )
    }

    /// Keeps a child in `slot` for as long as jobs may come, replacing each that dies, until the slot's child
    /// is drained at shutdown.
    private func supervise(slot: Int) async {
        var logger = self.logger
        logger[metadataKey: "worker.slot"] = "\(slot)"
        while true {
            let child: ChildProcess
            do {
                child = try await ChildProcess.spawn(self.command, settings: self.settings, kinds: self.kinds, slot: self.calls(for: slot))
            } catch {
                logger.error("cannot start a child process", metadata: ["error": "\(error)"])
                // Fail the next job rather than retrying in a loop; try again for the one after.
                guard let request = await self.nextRequest(for: slot) else { return }
                // Not the job's doing, and not a crash under it: it fails once, with the reason.
                request.done(.failed(JobFailure(code: .jobFailed, message: "cannot start a child process: \(error)")))
                continue
            }
            self.state.withLock { $0.slots[slot].pid = child.pid }
            logger.debug("child started", metadata: ["child.pid": "\(child.pid)"])

            let ending = (try? await child.ended.get()) ?? .died(running: nil)
            self.state.withLock { state in
                state.slots[slot].pid = nil
                state.slots[slot].job = nil
                state.slots[slot].idleChild = nil
                // A job the child was running is answered below, and its mark is stale. Any other mark stays, so
                // that the next child refuses the job: one the child never reached, or one given to it as it died
                // (`returned`).
                switch ending {
                case .died(running: .some), .drained, .failedToStart: state.slots[slot].abandoned = nil
                case .died(running: nil), .diedIdle: break
                }
            }
            let exit = await ChildProcess.reap(child.pid)
            logger[metadataKey: "child.pid"] = "\(child.pid)"

            switch ending {
            case .drained:
                logger.debug("child stopped", metadata: ["child.exit": "\(exit)"])
            case .died(let running):
                logger.warning(
                    "child \(exit); replacing it",
                    metadata: ["job.id": "\(running.map { "\($0.submit.jobID.rawValue)" } ?? "none")"]
                )
                running?.done(
                    .failed(
                        JobFailure(code: .childDied, detail: exit.detail, message: "child process \(child.pid) \(exit) while running the job")
                    )
                )
            case .diedIdle(let next):
                logger.warning("child \(exit) while idle; replacing it")
                self.state.withLock { $0.slots[slot].waiting = next }
            case .failedToStart(let reason):
                logger.error("child \(exit) \(reason)")
                guard let request = await self.nextRequest(for: slot) else { return }
                request.done(
                    .failed(JobFailure(code: .jobFailed, message: "child process \(child.pid) \(exit) \(reason), before it could take a job"))
                )
            }
            // Stopped with no job left to run: no child is started only to be drained. A job given to a child
            // as it died may still come back to wait: then a child is started for it.
            let done = self.state.withLock { state in
                guard state.stopped, state.slots[slot].waiting == nil else { return false }
                state.slots[slot].supervised = false
                return true
            }
            if done { return }
        }
    }

    /// The job waiting for `slot`, or the next one routed to it; nil once the pool has stopped.
    private func nextRequest(for slot: Int) async -> ChildRequest? {
        await suspend(ifCancelled: nil) { supervisor in
            self.state.withLock { state -> Parking<ChildRequest?> in
                if let request = state.slots[slot].waiting {
                    state.slots[slot].waiting = nil
                    return .now(request)
                }
                if state.stopped {
                    state.slots[slot].supervised = false
                    return .now(nil)
                }
                let parking = state.supervisors.park(supervisor, as: slot)
                if case .cancelled = parking { state.slots[slot].supervised = false }
                return parking
            }
        } unpark: {
            self.state.withLock { state in
                guard let supervisor = state.supervisors.take(slot) else { return nil }
                state.slots[slot].supervised = false
                return supervisor
            }
        }
    }
}
