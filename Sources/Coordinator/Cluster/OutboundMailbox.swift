import FanoutProtocol
import Synchronization

/// Messages for one worker, posted from any task and written by one writer, everything posted since its
/// last write in one batch, so a burst of submits leaves in one flush.
final class OutboundMailbox: Sendable {
    private struct State {
        var pending: [Message] = []
        var closed = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func post(_ messages: [Message]) {
        guard !messages.isEmpty else { return }
        let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.closed else { return nil }
            state.pending += messages
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func post(_ message: Message) {
        self.post([message])
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
