import FanoutLocking
import FanoutProtocol

/// What one session owes its coordinator: messages waiting to be written, the jobs still in flight, and
/// whether it is draining.
///
/// Job tasks post from any thread; the session's single writer takes everything posted since its last write
/// as one batch, so a burst of results leaves in one flush. A job's `started` that has not left yet when its
/// result is posted is dropped: the result says as much, and short jobs need a third fewer frames.
///
/// Replies the coordinator does not read pile up here; past ``pendingLimit`` the session's reader waits
/// (``waitForRoom()``), so a peer that sends without reading is read no faster than it reads.
final class SessionOutbox: Sendable {
    /// Messages waiting to be written past which the reader waits.
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

    private struct State {
        var pending: [Message] = []
        var inFlight: Set<JobID> = []
        var draining = false
        /// Whether our hello has been posted; goodbye never goes before it.
        var greeted = false
        /// Set when the last batch (goodbye or an error) has been taken, or the peer is gone.
        var closed = false
        /// An error to send after what is pending; the session ends with it.
        var failure: ErrorReport?
        var waiter: CheckedContinuation<Void, Never>?
        /// The reader, waiting for the writer to take what is pending.
        var reader: CheckedContinuation<Void, Never>?

        var hasRoom: Bool { self.pending.count < SessionOutbox.pendingLimit || self.closed }

        var hasWork: Bool {
            !self.pending.isEmpty || self.failure != nil || self.readyForGoodbye || self.closed
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

        /// The writer's continuation, taken, when there is now something for it to do.
        mutating func wakeWriter() -> CheckedContinuation<Void, Never>? {
            guard self.hasWork, let waiter = self.waiter else { return nil }
            self.waiter = nil
            return waiter
        }

        /// The reader's continuation, taken, when there is now room for what it reads.
        mutating func wakeReader() -> CheckedContinuation<Void, Never>? {
            guard self.hasRoom, let reader = self.reader else { return nil }
            self.reader = nil
            return reader
        }
    }

    private let state = Locked(State())

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

    /// The peer is gone: drop everything and end the writer.
    func close() {
        self.update { state in
            state.closed = true
            state.pending = []
        }
    }

    /// Whether fewer than ``pendingLimit`` messages wait to be written, or the session is over.
    var hasRoom: Bool { self.state.withLock { $0.hasRoom } }

    /// Returns once ``hasRoom``: the writer has taken what was pending, or the session is over.
    func waitForRoom() async {
        guard !self.hasRoom else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = self.state.withLock { state in
                    if state.hasRoom || Task.isCancelled { return true }
                    state.reader = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            self.state.withLock { state in
                defer { state.reader = nil }
                return state.reader
            }?.resume()
        }
    }

    var inFlightCount: Int { self.state.withLock { $0.inFlight.count } }

    /// Whether our hello has gone out.
    var isGreeted: Bool { self.state.withLock { $0.greeted } }

    /// Whether the session is over and takes no more messages.
    var isClosed: Bool { self.state.withLock { $0.closed } }

    /// Waits for work and takes it all; nil once the session is over.
    func nextBatch() async -> Batch? {
        while true {
            var reader: CheckedContinuation<Void, Never>?
            let batch: Batch?? = self.state.withLock { state in
                defer { reader = state.wakeReader() }
                if state.closed { return .some(nil) }
                if let failure = state.failure {
                    state.closed = true
                    return Batch(messages: state.takePending() + [.error(failure)], isLast: true)
                }
                if state.readyForGoodbye {
                    state.closed = true
                    return Batch(messages: state.takePending() + [.goodbye], isLast: true)
                }
                guard !state.pending.isEmpty else { return nil }
                return Batch(messages: state.takePending(), isLast: false)
            }
            reader?.resume()
            if let batch { return batch }
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let resumeNow = self.state.withLock { state in
                        if state.hasWork || Task.isCancelled { return true }
                        state.waiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                self.close()
            }
        }
    }

    /// Changes the state, then wakes the writer if there is work for it and the reader if there is room.
    private func update(_ body: (inout State) -> Void) {
        let (writer, reader) = self.state.withLock { state in
            body(&state)
            return (state.wakeWriter(), state.wakeReader())
        }
        writer?.resume()
        reader?.resume()
    }
}
