import FanoutLocking
import FanoutProtocol

/// Messages for one worker, posted from any task and written by one writer, everything posted since its
/// last write in one batch, so a burst of submits leaves in one flush.
///
/// What the cluster sends a worker is bounded by its credit, plus a ping per heartbeat; only replies to the
/// worker's own pings are not, and those are dropped past ``replyLimit`` (see ``postReply(_:)``).
final class OutboundMailbox: Sendable {
    /// Messages waiting to be written past which replies are dropped.
    static let replyLimit = 1024

    private struct State {
        var pending: [Message] = []
        var closed = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Locked(State())

    func post(_ messages: [Message]) {
        self.enqueue(messages)?.resume()
    }

    /// Posts `messages` and returns the waiting writer, for the caller to resume once it holds no lock: the
    /// cluster posts under its own lock, in the order its scheduler decided.
    func enqueue(_ messages: [Message]) -> CheckedContinuation<Void, Never>? {
        guard !messages.isEmpty else { return nil }
        return self.state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.closed else { return nil }
            state.pending += messages
            defer { state.waiter = nil }
            return state.waiter
        }
    }

    func post(_ message: Message) {
        self.post([message])
    }

    /// Posts `message` unless ``replyLimit`` messages already wait: for answers to a peer that may send faster
    /// than it reads, which it loses nothing by missing. Returns whether it was posted.
    @discardableResult
    func postReply(_ message: Message) -> Bool {
        let (posted, waiter) = self.state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            guard !state.closed, state.pending.count < Self.replyLimit else { return (false, nil) }
            state.pending.append(message)
            defer { state.waiter = nil }
            return (true, state.waiter)
        }
        waiter?.resume()
        return posted
    }

    /// Ends the writer once it has taken what is pending.
    func close() {
        let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Waits for messages and takes them all; nil once closed and empty.
    func nextBatch() async -> [Message]? {
        while true {
            let batch: [Message]?? = self.state.withLock { state in
                if !state.pending.isEmpty {
                    defer { state.pending = [] }
                    return state.pending
                }
                return state.closed ? .some(nil) : nil
            }
            if let batch { return batch }
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let resumeNow = self.state.withLock { state in
                        if !state.pending.isEmpty || state.closed || Task.isCancelled { return true }
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
}
