import FanoutLocking
import FanoutProtocol

/// Messages for one worker, posted from any thread and written by its connection's event loop, everything
/// posted since the last write in one batch, so a burst of submits leaves in one flush.
///
/// The first post after a write asks the loop for another (``attach(write:)``). While the loop reads the
/// worker's messages (``hold()``), posts ask nothing: the submits a result frees are written once the loop has
/// read what came in, where they were decided.
///
/// What the cluster sends a worker is bounded by its credit, plus a ping per heartbeat; only replies to the
/// worker's own pings are not, and those are dropped past ``replyLimit`` (see ``postReply(_:)``).
final class OutboundMailbox: Sendable {
    /// Messages waiting to be written past which replies are dropped.
    static let replyLimit = 1024

    /// Asks the connection's event loop to write what is pending.
    typealias Write = @Sendable () -> Void

    private struct State {
        var pending: [Message] = []
        var closed = false
        /// Nil until the connection is attached, and once it is gone.
        var write: Write?
        /// A write is asked for, or the loop is reading and will write when done: posts need not ask.
        var writeDue = false

        /// The write to ask for, when something waits and no write is due yet.
        mutating func writeToAsk() -> Write? {
            guard !self.pending.isEmpty, !self.writeDue, let write = self.write else { return nil }
            self.writeDue = true
            return write
        }
    }

    private let state = Locked(State())

    /// Sets how to ask the connection's event loop for a write, and asks at once if anything waits.
    func attach(write: @escaping Write) {
        self.state.withLock { state in
            state.write = write
            return state.writeToAsk()
        }?()
    }

    /// Posts `messages` and returns the write to ask for, for the caller to ask once it holds no lock: the
    /// cluster posts under its own lock, in the order its scheduler decided.
    func enqueue(_ messages: [Message]) -> Write? {
        guard !messages.isEmpty else { return nil }
        return self.state.withLock { state in
            guard !state.closed else { return nil }
            state.pending += messages
            return state.writeToAsk()
        }
    }

    func post(_ messages: [Message]) {
        self.enqueue(messages)?()
    }

    func post(_ message: Message) {
        self.post([message])
    }

    /// Posts `message` unless ``replyLimit`` messages already wait: for answers to a peer that may send faster
    /// than it reads, which it loses nothing by missing. Returns whether it was posted.
    @discardableResult
    func postReply(_ message: Message) -> Bool {
        let (posted, write) = self.state.withLock { state -> (Bool, Write?) in
            guard !state.closed, state.pending.count < Self.replyLimit else { return (false, nil) }
            state.pending.append(message)
            return (true, state.writeToAsk())
        }
        write?()
        return posted
    }

    /// The loop is reading, and takes what is pending once it is done: until then, posts ask for no write.
    func hold() {
        self.state.withLock { $0.writeDue = true }
    }

    /// Takes everything posted since the last write; the next post asks for a write again.
    func take() -> [Message] {
        self.state.withLock { state in
            state.writeDue = false
            defer { state.pending = [] }
            return state.pending
        }
    }

    /// Drops what is pending and whatever is posted later, and forgets the write, which holds the connection.
    func close() {
        self.state.withLock { state in
            state.closed = true
            state.pending = []
            state.write = nil
        }
    }
}
