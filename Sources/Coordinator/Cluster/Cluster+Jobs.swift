import FanoutJobs
import FanoutLocking
import FanoutProtocol
import Logging
import NIOCore
import NIOSSL

/// Jobs in flight: cancels, submits posted to the workers, and what the workers answer.
extension Cluster {
    func cancel(_ future: AnyJobFuture) -> Bool {
        let decision = self.withState { state in
            defer { state.wakeProducers() }
            return state.scheduler.cancel(future.id)
        }
        switch decision {
        case .unknown:
            return future.state == .cancelled
        case .running:
            return false
        case .removedFromQueue(let future):
            return future.resolveCancelled()
        case .withdrawn(let future, let worker):
            // A worker that started the job before the cancel reaches it runs it to the end; its result is
            // then dropped, as the future has already resolved.
            let connection = self.withState { $0.connections[worker] }
            connection?.mailbox.post(.cancel(Cancel(jobID: future.id)))
            return future.resolveCancelled()
        }
    }

    /// Posts each assignment's submit to its worker, then wakes the producers waiting for room in the queue.
    /// Called under the state lock, so that what a worker is sent follows the scheduler's order: a cancel can
    /// never overtake the submit it withdraws.
    func send(_ assignments: [JobScheduler.Assignment], in state: inout State) {
        defer { state.wakeProducers() }
        guard !assignments.isEmpty else { return }
        let connections = state.connections
        var batches: [WorkerID: [Message]] = [:]
        for assignment in assignments {
            if let connection = connections[assignment.worker] {
                assignment.future.assign(to: connection.name)
            }
            batches[assignment.worker, default: []].append(.submit(assignment.submit))
        }
        for (worker, messages) in batches {
            if let connection = connections[worker] { state.post(messages, to: connection) }
        }
    }

    func receive(_ message: Message, from connection: WorkerConnection) {
        connection.heard(message)
        switch message {
        case .started(let started):
            let future = self.withState { $0.scheduler.started(started.jobID, attempt: started.attempt, on: connection.id) }
            future?.markRunning()
        case .result(let result):
            if case .failed(let failure) = result.outcome {
                switch failure.code {
                case .childDied:
                    return self.childDied(result, failure: failure, on: connection)
                case .shuttingDown, .queueFull:
                    return self.turnedAway(result, failure: failure, by: connection)
                default:
                    break
                }
            }
            let now = WireClock.now
            let future = self.withState { state in
                let (future, assignments) = state.scheduler.answered(result, on: connection.id, at: now)
                self.send(assignments, in: &state)
                return future
            }
            guard let future else { return }
            let started = result.startedAt == 0 ? nil : connection.coordinatorTime(ofWorkerTime: result.startedAt)
            let timing = JobTiming(
                queued: .nanoseconds(Int64(clamping: result.queueNanoseconds)),
                ran: .nanoseconds(Int64(clamping: result.runNanoseconds)),
                slot: result.slot.map(Int.init),
                started: started?.time,
                startedBound: started?.bound
            )
            switch result.outcome {
            case .ok(let output):
                future.resolve(.output(output), timing: timing)
            case .failed(let failure):
                future.resolve(
                    .failure(
                        JobError(job: future.id, kind: future.kind, worker: connection.name, attempts: future.attempts, reason: .failed(failure))
                    ),
                    timing: timing
                )
            case .cancelled:
                future.resolveCancelled()
            }
        case .error(let report):
            self.logger.warning("worker reported an error", metadata: ["worker": "\(connection.name)", "error": "\(report)"])
        case .hello, .submit, .cancel, .drain, .goodbye, .ping, .pong, .put:
            break
        }
    }

    /// The worker turned `result`'s job away without running it: it goes to another worker, or back to this one
    /// when it has room.
    private func turnedAway(_ result: JobResult, failure: JobFailure, by connection: WorkerConnection) {
        let refused = self.withState { state -> AnyJobFuture? in
            let future = state.scheduler.future(of: result.jobID, attempt: result.attempt, on: connection.id)
            let assignments = state.scheduler.refused(
                result.jobID,
                attempt: result.attempt,
                on: connection.id,
                draining: failure.code == .shuttingDown
            )
            future?.withdrawAttempt()
            self.send(assignments, in: &state)
            return future
        }
        if refused != nil {
            self.logger.debug("worker turned a job away", metadata: ["worker": "\(connection.name)", "reason": "\(failure)"])
        }
    }

    /// The child process that ran `result`'s job died: the job runs again, maybe elsewhere, as it would had the
    /// whole worker died under it.
    private func childDied(_ result: JobResult, failure: JobFailure, on connection: WorkerConnection) {
        let crash = self.withState { state in
            let crash = state.scheduler.crashed(result.jobID, attempt: result.attempt, on: connection.id, error: failure.message)
            switch crash {
            case .stale:
                break
            case .retried(let future, let assignments):
                future?.markPending()
                self.send(assignments, in: &state)
            case .exhausted(_, _, let assignments):
                self.send(assignments, in: &state)
            }
            return crash
        }
        switch crash {
        case .stale:
            return
        case .retried(nil, _):
            return
        case .retried:
            self.logger.warning(
                "a job's child process died; running the job again",
                metadata: ["worker": "\(connection.name)", "job": "\(result.jobID)", "reason": "\(failure.message)"]
            )
        case .exhausted(let future, let error, _):
            future.resolve(.failure(error))
        }
    }
}
