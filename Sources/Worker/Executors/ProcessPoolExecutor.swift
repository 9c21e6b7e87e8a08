#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FanoutProtocol
import Logging
import NIOCore
import Synchronization

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
        var continuation: CheckedContinuation<JobOutcome, Never>
    }

    private enum Ending {
        /// The child was drained and said goodbye.
        case drained
        /// The child died; `request` is the job it was running, if any.
        case died(running: Request?)
        /// The child died before it said hello.
        case failedToStart
    }

    private let command: ChildCommand
    private let limits: FrameLimits
    private let logger: Logger
    private let requests: [(stream: AsyncStream<Request>, continuation: AsyncStream<Request>.Continuation)]
    private let processIDs: Mutex<[pid_t?]>

    init(size: Int, command: ChildCommand, limits: FrameLimits, logger: Logger) {
        // Writing to the pipe of a child that just died raises SIGPIPE, whose default action would end the
        // whole worker; ignored, the write fails with EPIPE and the child's death is handled as such.
        signal(SIGPIPE, SIG_IGN)
        self.slotCount = size
        self.command = command
        self.limits = limits
        self.logger = logger
        self.requests = (0..<size).map { _ in AsyncStream.makeStream(of: Request.self) }
        self.processIDs = Mutex(Array(repeating: nil, count: size))
    }

    /// The process id of each slot's child, nil while it has none.
    var childProcessIDs: [pid_t?] { self.processIDs.withLock { $0 } }

    func run() async {
        await withDiscardingTaskGroup { group in
            for slot in 0..<self.slotCount {
                group.addTask { await self.serve(slot: slot) }
            }
        }
    }

    func execute(_ submit: Submit, slot: Int) async -> JobOutcome {
        await withCheckedContinuation { continuation in
            let result = self.requests[slot].continuation.yield(Request(submit: submit, continuation: continuation))
            if case .terminated = result {
                continuation.resume(
                    returning: .failed(JobFailure(code: .shuttingDown, message: "the process pool has stopped"))
                )
            }
        }
    }

    func abandon(slot: Int) {
        guard let pid = self.processIDs.withLock({ $0[slot] }) else { return }
        self.logger.info(
            "job ran past its deadline; killing its child",
            metadata: ["worker.slot": "\(slot)", "child.pid": "\(pid)"]
        )
        kill(pid, SIGKILL)
    }

    func shutdown() {
        for request in self.requests {
            request.continuation.finish()
        }
    }

    /// Keeps one child alive in `slot` and feeds it that slot's jobs until shutdown.
    private func serve(slot: Int) async {
        var requests = self.requests[slot].stream.makeAsyncIterator()
        var logger = self.logger
        logger[metadataKey: "worker.slot"] = "\(slot)"
        while true {
            let child: ChildProcess
            do {
                child = try await ChildProcess.spawn(self.command, limits: self.limits)
            } catch {
                logger.error("cannot start a child process", metadata: ["error": "\(error)"])
                // Fail the next job rather than retrying in a loop; try again for the one after.
                guard let request = await requests.next() else { return }
                request.continuation.resume(
                    returning: .failed(JobFailure(code: .childDied, message: "cannot start a child process: \(error)"))
                )
                continue
            }
            self.processIDs.withLock { $0[slot] = child.pid }
            logger.debug("child started", metadata: ["child.pid": "\(child.pid)"])

            let ending = await Self.feed(child, from: &requests)
            self.processIDs.withLock { $0[slot] = nil }
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
            case .failedToStart:
                logger.error("child \(exit) before it said hello")
                guard let request = await requests.next() else { return }
                request.continuation.resume(
                    returning: .failed(
                        JobFailure(
                            code: .childDied,
                            detail: exit.detail,
                            message: "child process \(child.pid) \(exit) before it could take a job"
                        )
                    )
                )
            }
        }
    }

    /// Sends the child one job at a time until the requests end (then drains it) or the child dies.
    private static func feed(
        _ child: ChildProcess,
        from requests: inout AsyncStream<Request>.Iterator
    ) async -> Ending {
        var running: Request?
        var greeted = false
        do {
            return try await child.channel.executeThenClose { inbound, outbound in
                var replies = inbound.makeAsyncIterator()
                guard case .hello? = try await replies.next() else { return .failedToStart }
                greeted = true
                while let request = await requests.next() {
                    running = request
                    try await outbound.write(.submit(request.submit))
                    while true {
                        guard let reply = try await replies.next() else { return .died(running: request) }
                        if case .result(let result) = reply, result.jobID == request.submit.jobID {
                            request.continuation.resume(returning: result.outcome)
                            running = nil
                            break
                        }
                    }
                }
                try await outbound.write(.drain)
                while let reply = try await replies.next() {
                    if case .goodbye = reply { break }
                }
                return .drained
            }
        } catch {
            return greeted ? .died(running: running) : .failedToStart
        }
    }
}
