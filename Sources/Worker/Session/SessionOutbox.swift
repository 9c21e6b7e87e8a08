import FanoutLocking
import FanoutProtocol

/// What one session owes its coordinator: messages waiting to be written, the jobs still in flight, and
/// whether it is draining.
///
/// Job tasks and threads post from anywhere; the first post after a flush asks the session's event loop for
/// another (``attach(flush:)``), and that flush takes everything posted since as one batch, so a burst of
/// results leaves in one write. A job's `started` that has not left yet when its result is posted is dropped:
/// the result says as much, and short jobs need a third fewer frames.
///
/// Replies the coordinator does not read pile up here; past ``pendingLimit`` the session stops reading
/// (``hasRoom``), so a peer that sends without reading is read no faster than it reads.
final class SessionOutbox: Sendable {
    /// Messages waiting to be written past which the session stops reading.
    static let pendingLimit = 4096

    enum Admission {
        case accepted
        case duplicate
        case draining
    }

    /// Messages to write; `isLast` means the session ends once they are written.
    struct Batch {
        var messages: [Message]
        var isLast: Bool
    }

    /// What a flush finds.
    enum Taken {
        /// Messages to write.
        case batch(Batch)
        /// Nothing new.
        case nothing
        /// The session is over with nothing to say: close the connection.
        case closed
    }

    private struct State {
        var pending: [Message] = []
        var inFlight: Set<JobID> = []
        var draining = false
        /// Whether our hello has been posted; goodbye never goes before it.
        var greeted = false
        /// Set when the peer is gone or the session ended: nothing more is posted.
        var closed = false
        /// Set once a flush has taken the last batch or the close: nothing is left to flush.
        var finished = false
        /// An error to send after what is pending; the session ends with it.
        var failure: ErrorReport?
        /// Asks the session's event loop for a flush; nil until the session is attached.
        var flush: (@Sendable () -> Void)?
        /// Whether a flush has been asked for and has not run yet.
        var flushAsked = false

        var hasRoom: Bool { self.pending.count < SessionOutbox.pendingLimit || self.closed }

        var hasWork: Bool {
            !self.finished && (!self.pending.isEmpty || self.failure != nil || self.readyForGoodbye || self.closed)
        }

        var readyForGoodbye: Bool {
            self.greeted && self.draining && self.inFlight.isEmpty
        }

        /// Everything pending, without the `started` of jobs whose result is pending too.
        mutating func takePending() -> [Message] {
            defer { self.pending = [] }
            var answered: Set<JobID> = []
            for case .result(let result) in self.pending { answered.insert(result.jobID) }
            guard !answered.isEmpty else { return self.pending }
            return self.pending.filter { message in
                if case .started(let started) = message { return !answered.contains(started.jobID) }
                return true
            }
        }

        /// The flush to ask for, when there is work and none is asked for yet.
        mutating func flushToAsk() -> (@Sendable () -> Void)? {
            guard self.hasWork, !self.flushAsked, let flush = self.flush else { return nil }
            self.flushAsked = true
            return flush
        }
    }

    private let state = Locked(State())

    /// Sets how to ask the session's event loop for a flush, and asks at once if anything waits.
    func attach(flush: @escaping @Sendable () -> Void) {
        self.update { $0.flush = flush }
    }

    /// Forgets the flush, which holds the session's handler, once the connection is gone.
    func detach() {
        self.state.withLock { $0.flush = nil }
    }

    /// Records `jobID` as in flight unless it already is or the session is draining.
    func admit(_ jobID: JobID) -> Admission {
        self.state.withLock { state in
            if state.draining || state.closed || !state.greeted { return .draining }
            return state.inFlight.insert(jobID).inserted ? .accepted : .duplicate
        }
    }

    /// Posts our hello, which opens the session: jobs may be admitted and goodbye may follow.
    func greet(with hello: Hello) {
        self.update { state in
            guard !state.closed else { return }
            state.pending.append(.hello(hello))
            state.greeted = true
        }
    }

    func post(_ message: Message) {
        self.update { state in
            guard !state.closed else { return }
            state.pending.append(message)
        }
    }

    /// Queues `result` and marks its job done.
    func complete(_ result: JobResult) {
        self.update { state in
            guard !state.closed, state.inFlight.remove(result.jobID) != nil else { return }
            state.pending.append(.result(result))
        }
    }

    /// No new jobs; once every job in flight has its result written, say goodbye.
    func beginDrain() {
        self.update { $0.draining = true }
    }

    /// Send `report` after what is pending, then end the session.
    func fail(with report: ErrorReport) {
        self.update { state in
            if state.failure == nil { state.failure = report }
        }
    }

    /// The peer is gone, or the session ends without a word: drop everything and close.
    func close() {
        self.update { state in
            state.closed = true
            state.pending = []
        }
    }

    /// Whether fewer than ``pendingLimit`` messages wait to be written, or the session is over.
    var hasRoom: Bool { self.state.withLock { $0.hasRoom } }

    var inFlightCount: Int { self.state.withLock { $0.inFlight.count } }

    /// Whether the session is over and takes no more messages.
    var isClosed: Bool { self.state.withLock { $0.closed } }

    /// Takes everything posted since the last flush, for the flush asked for to write.
    func take() -> Taken {
        self.state.withLock { state in
            state.flushAsked = false
            guard !state.finished else { return .nothing }
            if let failure = state.failure, !state.closed {
                state.closed = true
                state.finished = true
                return .batch(Batch(messages: state.takePending() + [.error(failure)], isLast: true))
            }
            if state.readyForGoodbye, !state.closed {
                state.closed = true
                state.finished = true
                return .batch(Batch(messages: state.takePending() + [.goodbye], isLast: true))
            }
            if state.closed {
                state.finished = true
                return .closed
            }
            guard !state.pending.isEmpty else { return .nothing }
            return .batch(Batch(messages: state.takePending(), isLast: false))
        }
    }

    /// Changes the state, then asks for a flush if there is work for one.
    private func update(_ body: (inout State) -> Void) {
        let flush = self.state.withLock { state in
            body(&state)
            return state.flushToAsk()
        }
        flush?()
    }
}
