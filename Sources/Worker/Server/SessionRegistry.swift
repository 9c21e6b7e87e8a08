import FanoutLocking

/// The sessions a worker is serving, so that shutdown can drain them all.
final class SessionRegistry: Sendable {
    private struct State {
        var nextID: UInt64 = 1
        var outboxes: [SessionID: SessionOutbox] = [:]
        var shuttingDown = false
    }

    private let state = Locked(State())

    /// Registers a new session's outbox; when the worker is already stopping, the session starts out draining.
    func open(_ outbox: SessionOutbox) -> SessionID {
        let (id, draining) = self.state.withLock { state in
            let id = SessionID(state.nextID)
            state.nextID += 1
            state.outboxes[id] = outbox
            return (id, state.shuttingDown)
        }
        if draining { outbox.beginDrain() }
        return id
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
