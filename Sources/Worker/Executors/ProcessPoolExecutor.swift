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

    private struct Request: Sendable {
        var submit: Submit
        var started: @Sendable () -> Void
        var continuation: CheckedContinuation<JobOutcome, Never>
    }

    private enum Ending {
        /// The child was drained and said goodbye.
        case drained
        /// The child died; `request` is the job it was running, if any.
        case died(running: Request?)
        /// The child was found dead before `next` reached it: the next child takes `next`.
        case diedIdle(next: Request)
        /// The child died before it said hello, or its hello listed other kinds than this worker's: it is not
        /// the same program.
        case failedToStart(String)
    }

    /// Each slot's child and the job it runs, for ``abandon(_:in:)``.
    private struct SlotState {
        var pid: pid_t?
        var job: JobID?
        /// A job answered early (past its deadline, cancelled, its session gone) before its child ran it: it is
        /// not sent when its turn comes.
        var abandoned: JobID?
    }

    private let command: ChildCommand
    /// The kinds this worker runs, which each child's hello must list too, in the same order.
    private let kinds: [JobKindName]
    private let settings: ChildSettings
    private let logger: Logger
    private let requests: [(stream: AsyncStream<Request>, continuation: AsyncStream<Request>.Continuation)]
    private let slots: Locked<[SlotState]>
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
        self.requests = (0..<size).map { _ in AsyncStream.makeStream(of: Request.self) }
        self.slots = Locked(Array(repeating: SlotState(), count: size))
        self.spawner = spawner
    }

    /// The process id of each slot's child, nil while it has none.
    var childProcessIDs: [pid_t?] { self.slots.withLock { $0.map(\.pid) } }

    func run() async {
        await withDiscardingTaskGroup { group in
            for slot in 0..<self.slotCount {
                group.addTask { await self.serve(slot: slot) }
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
            let result = self.requests[slot].continuation.yield(Request(submit: submit, started: started, continuation: continuation))
            if case .terminated = result {
                continuation.resume(
                    returning: .failed(JobFailure(code: .shuttingDown, message: "the process pool has stopped"))
                )
            }
        }
    }

    func abandon(_ job: JobID, in slot: Int, because reason: JobStopReason) {
        let pid = self.slots.withLock { slots -> pid_t? in
            // Marked even when its child is killed: a job whose child dies before it says the job reached it goes
            // to the next child, which must refuse it.
            slots[slot].abandoned = job
            return slots[slot].job == job ? slots[slot].pid : nil
        }
        guard let pid else { return }
        self.logger.info(
            "job answered early; killing its child",
            metadata: ["worker.slot": "\(slot)", "child.pid": "\(pid)", "reason": "\(reason)"]
        )
        kill(pid, SIGKILL)
    }

    func shutdown() {
        for request in self.requests {
            request.continuation.finish()
        }
        self.spawner?.executor.shutdown()
    }

    /// Keeps one child alive in `slot` and feeds it that slot's jobs until shutdown.
    private func serve(slot: Int) async {
        var requests = self.requests[slot].stream.makeAsyncIterator()
        var logger = self.logger
        logger[metadataKey: "worker.slot"] = "\(slot)"
        var carried: Request?
        while true {
            let child: ChildProcess
            do {
                child = try await ChildProcess.spawn(self.command, settings: self.settings)
            } catch {
                logger.error("cannot start a child process", metadata: ["error": "\(error)"])
                // Fail the next job rather than retrying in a loop; try again for the one after.
                guard let request = await Self.take(&carried, else: &requests) else { return }
                request.continuation.resume(
                    // Not the job's doing, and not a crash under it: it fails once, with the reason.
                    returning: .failed(JobFailure(code: .jobFailed, message: "cannot start a child process: \(error)"))
                )
                continue
            }
            self.slots.withLock { $0[slot].pid = child.pid }
            logger.debug("child started", metadata: ["child.pid": "\(child.pid)"])

            let first = carried
            carried = nil
            let ending = await Self.feed(child, kinds: self.kinds, first: first, from: &requests) { job in
                self.claim(job, slot: slot)
            } idle: {
                // Answered: a mark for it is stale now, and could match another session's job of the same id.
                self.slots.withLock { slots in
                    slots[slot].job = nil
                    slots[slot].abandoned = nil
                }
            }
            self.slots.withLock { slots in
                slots[slot].pid = nil
                slots[slot].job = nil
                // A job the child was running is answered below; only one it never reached keeps its mark, so
                // that the next child refuses it.
                if case .diedIdle = ending {} else { slots[slot].abandoned = nil }
            }
            let exit = await child.reap()
            logger[metadataKey: "child.pid"] = "\(child.pid)"

            switch ending {
            case .drained:
                logger.debug("child stopped", metadata: ["child.exit": "\(exit)"])
                return
            case .died(let running):
                logger.warning(
                    "child \(exit); replacing it",
                    metadata: ["job.id": "\(running.map { "\($0.submit.jobID.rawValue)" } ?? "none")"]
                )
                running?.continuation.resume(
                    returning: .failed(
                        JobFailure(
                            code: .childDied,
                            detail: exit.detail,
                            message: "child process \(child.pid) \(exit) while running the job"
                        )
                    )
                )
            case .diedIdle(let next):
                logger.warning("child \(exit) while idle; replacing it")
                carried = next
            case .failedToStart(let reason):
                logger.error("child \(exit) \(reason)")
                var unsent = first
                guard let request = await Self.take(&unsent, else: &requests) else { return }
                request.continuation.resume(
                    returning: .failed(
                        JobFailure(code: .jobFailed, message: "child process \(child.pid) \(exit) \(reason), before it could take a job")
                    )
                )
            }
        }
    }

    /// `held`, taken, if there is one; else the next request.
    private static func take(_ held: inout Request?, else requests: inout AsyncStream<Request>.Iterator) async -> Request? {
        if let request = held {
            held = nil
            return request
        }
        return await requests.next()
    }

    /// Records `job` as the one `slot`'s child runs; false when it was abandoned before it got there.
    private func claim(_ job: JobID, slot: Int) -> Bool {
        self.slots.withLock { slots in
            // A slot has one request at a time: a mark for any other job is stale.
            defer { slots[slot].abandoned = nil }
            guard slots[slot].abandoned != job else { return false }
            slots[slot].job = job
            return true
        }
    }

    /// Sends the child one job at a time, `first` first, until the requests end (then drains it) or the
    /// child dies. `claim` hears of each job before it is sent, and answers false for one abandoned (answered
    /// early) before it got here, which is not sent; `idle` hears when the child has answered its job.
    private static func feed(
        _ child: ChildProcess,
        kinds: [JobKindName],
        first: Request?,
        from requests: inout AsyncStream<Request>.Iterator,
        claim: (JobID) -> Bool,
        idle: () -> Void
    ) async -> Ending {
        var running: Request?
        var reached = false
        var greeted = false
        do {
            return try await child.channel.executeThenClose { inbound, outbound in
                var replies = inbound.makeAsyncIterator()
                guard case .hello(let hello)? = try await replies.next() else { return .failedToStart("before it said hello") }
                guard let theirs = hello.capabilities?.kinds, theirs == kinds else {
                    let listed = hello.capabilities?.kinds.map(\.description).joined(separator: ", ") ?? "none"
                    // Not our program: it need not stop at the end of its input.
                    kill(child.pid, SIGKILL)
                    return .failedToStart("after a hello that lists other job kinds than this worker's (\(listed)): it is not the same program")
                }
                greeted = true
                var next = first
                while let request = await Self.take(&next, else: &requests) {
                    guard claim(request.submit.jobID) else {
                        request.continuation.resume(
                            returning: .failed(JobFailure(code: .jobTimedOut, message: "answered early, before it started"))
                        )
                        continue
                    }
                    do {
                        try await outbound.write(.submit(request.submit))
                    } catch {
                        return .diedIdle(next: request)
                    }
                    running = request
                    reached = false
                    while true {
                        guard let reply = try await replies.next() else {
                            // Dead before it said the job reached it: the job never ran, and goes to the next child.
                            return reached ? .died(running: request) : .diedIdle(next: request)
                        }
                        switch reply {
                        case .started(let started) where started.jobID == request.submit.jobID:
                            reached = true
                            request.started()
                        case .result(let result) where result.jobID == request.submit.jobID:
                            idle()
                            request.continuation.resume(returning: result.outcome)
                            running = nil
                        default:
                            continue
                        }
                        if running == nil { break }
                    }
                }
                try await outbound.write(.drain)
                while let reply = try await replies.next() {
                    if case .goodbye = reply { break }
                }
                return .drained
            }
        } catch {
            guard greeted else { return .failedToStart("before it said hello") }
            if let running, !reached { return .diedIdle(next: running) }
            return .died(running: running)
        }
    }
}
