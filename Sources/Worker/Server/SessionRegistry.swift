import FanoutLocking

/// The sessions a worker is serving, so that shutdown can drain them all.
final class SessionRegistry: Sendable {
    private struct State {
        var nextID: UInt64 = 1
        var outboxes: [SessionID: SessionOutbox] = [:]
        var shuttingDown = false
    }

    private let state = Locked(State())

    /// A new session; when the worker is already stopping it starts out draining.
    func open() -> (SessionID, SessionOutbox) {
        let outbox = SessionOutbox()
        let (id, draining) = self.state.withLock { state in
            let id = SessionID(state.nextID)
            state.nextID += 1
            state.outboxes[id] = outbox
            return (id, state.shuttingDown)
        }
        if draining { outbox.beginDrain() }
        return (id, outbox)
    }

    func close(_ id: SessionID) {
        _ = self.state.withLock { $0.outboxes.removeValue(forKey: id) }
    }

    /// Drains every session, now and to come.
    func drainAll() {
        let outboxes = self.state.withLock { state in
            state.shuttingDown = true
            return Array(state.outboxes.values)
        }
        for outbox in outboxes { outbox.beginDrain() }
    }

    var count: Int { self.state.withLock { $0.outboxes.count } }
}
