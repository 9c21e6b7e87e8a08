import FanoutLocking

/// One job's run in a slot: its one answer, and the task to cancel when it must stop early.
///
/// A job is answered once, by whichever comes first: its own outcome, its timeout, a cancel from its
/// coordinator, or the end of its session. Whoever answers first stops the rest.
final class JobRun: Sendable {
    private enum State {
        /// Not answered yet; `execution` runs the job when its kind can be stopped from outside.
        case running(execution: Task<Void, Never>?)
        case answered
    }

    /// What the caller of ``answer()`` does.
    enum Claim {
        /// Send the answer, then cancel `stopping`: the task running the job, nil for a job run inline, which
        /// cannot be interrupted.
        case answer(stopping: Task<Void, Never>?)
        /// It was answered before: send nothing.
        case answeredAlready
    }

    private let state = Locked(State.running(execution: nil))

    /// Claims the job's one answer.
    func answer() -> Claim {
        self.state.withLock { state in
            guard case .running(let execution) = state else { return .answeredAlready }
            state = .answered
            return .answer(stopping: execution)
        }
    }

    /// Records the task running the job; false when it was answered before, and the task must be cancelled.
    func attach(_ execution: Task<Void, Never>) -> Bool {
        self.state.withLock { state in
            guard case .running = state else { return false }
            state = .running(execution: execution)
            return true
        }
    }
}

/// Why a job stops before its own end.
enum JobStopReason: Sendable, CustomStringConvertible {
    case timedOut
    /// Its coordinator cancelled it after it had started.
    case cancelled
    /// Its coordinator's connection is gone, so its result has nowhere to go.
    case sessionClosed

    var description: String {
        switch self {
        case .timedOut: "it ran past its timeout"
        case .cancelled: "its coordinator cancelled it"
        case .sessionClosed: "its coordinator's connection closed"
        }
    }
}
