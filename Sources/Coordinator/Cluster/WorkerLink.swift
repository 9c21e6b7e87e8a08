/// One worker of the run across its connections, as a state machine: dialled, served, lost and dialled again,
/// until it is given up on, taken out of the run, or the run ends.
///
/// ``Cluster`` holds one per worker under its lock. It tells the link what happened to each connection, does
/// what the transition returns, and asks ``next(policy:)`` what its serving task does once a connection ends.
struct WorkerLink {
    enum State: Hashable {
        /// Being dialled: the connection, TLS, the hellos, the run's files. `backoff` once it had been connected.
        case connecting(Backoff?)
        /// Connected, and sent jobs.
        case ready
        /// Connected, and taken out of the run: it finishes the jobs it holds, then is told to drain.
        case draining
        /// Lost, and waiting to be dialled again.
        case backingOff(Backoff)
        /// Served no more: never reached, not to be dialled again, or given up on.
        case closed
    }

    /// A lost worker's tries to come back.
    struct Backoff: Hashable {
        /// Attempts that failed since the loss.
        var failures = 0
        var lostAt: ContinuousClock.Instant
        /// Why the last attempt failed.
        var lastReason = "lost"
    }

    /// How an attempt to connect that never registered ended.
    enum Failure: Equatable {
        /// The worker's first connection failed: it is left out of the run.
        case unreachable
        /// Dialled again too long after the loss: `attempts` failed, the last for `reason`.
        case gaveUp(attempts: Int, reason: String)
        /// It will be dialled again.
        case retrying
        /// It is not dialled again: taken out of the run, or the run is over.
        case ended
    }

    /// What the task serving the link does once a connection has ended.
    enum Next: Equatable {
        case dial(after: Duration)
        case stop
    }

    let address: WorkerAddress
    /// Added by a hosts file reloaded mid-run, rather than at the start.
    let joinedMidRun: Bool
    private(set) var state: State = .connecting(nil)
    /// Taken out of the run (``retire()``).
    private(set) var retired = false

    init(address: WorkerAddress, joinedMidRun: Bool) {
        self.address = address
        self.joinedMidRun = joinedMidRun
    }

    /// Lost and being dialled again: jobs of the kinds it ran wait for it.
    var isReconnecting: Bool {
        switch self.state {
        case .backingOff, .connecting(_?): !self.retired
        case .connecting(nil), .ready, .draining, .closed: false
        }
    }

    /// Joined mid-run and not connected yet: its kinds are not known, so jobs of any kind wait for it.
    var isJoining: Bool {
        self.joinedMidRun && !self.retired && self.state == .connecting(nil)
    }

    /// Jobs wait for it: it is joining, or being dialled again.
    var isAwaited: Bool { self.isReconnecting || self.isJoining }

    /// In the run: not taken out, and not served no more. A hosts file naming it again leaves it be.
    var isInRun: Bool {
        !self.retired && self.state != .closed
    }

    /// The connection is up and has shaken hands. Returns false when the worker was taken out of the run
    /// meanwhile: it gets no job, and is to be told to drain.
    mutating func registered() -> Bool {
        guard case .connecting = self.state else { preconditionFailure("registered while \(self.state)") }
        self.state = self.retired ? .draining : .ready
        return !self.retired
    }

    /// Whether this connection had been connected before: a reconnection.
    var isReconnection: Bool {
        if case .connecting(_?) = self.state { return true }
        return false
    }

    /// The attempt to connect failed with `reason` before it registered.
    mutating func failedToConnect(_ reason: String, at now: ContinuousClock.Instant, policy: ReconnectPolicy?, stopped: Bool)
        -> Failure
    {
        guard case .connecting(let backoff) = self.state else { preconditionFailure("failed to connect while \(self.state)") }
        guard var backoff else {
            self.state = .closed
            return .unreachable
        }
        guard let policy, !self.retired, !stopped else {
            self.state = .closed
            return .ended
        }
        backoff.failures += 1
        backoff.lastReason = reason
        guard now - backoff.lostAt < policy.giveUpAfter else {
            self.state = .closed
            return .gaveUp(attempts: backoff.failures, reason: reason)
        }
        self.state = .backingOff(backoff)
        return .retrying
    }

    /// The served connection ended or went silent. Returns false if it had already been seen to end.
    mutating func lost(at now: ContinuousClock.Instant, policy: ReconnectPolicy?, stopped: Bool) -> Bool {
        switch self.state {
        case .ready where policy != nil && !stopped:
            self.state = .backingOff(Backoff(lostAt: now))
        case .ready, .draining:
            self.state = .closed
        case .connecting, .backingOff, .closed:
            return false
        }
        return true
    }

    /// Takes the worker out of the run. Returns true when it is connected, and is to be told to drain.
    mutating func retire() -> Bool {
        self.retired = true
        switch self.state {
        case .ready:
            self.state = .draining
            return true
        case .backingOff:
            self.state = .closed
            return false
        case .connecting, .draining, .closed:
            return false
        }
    }

    /// The run is over: a link waiting to be dialled again is not.
    mutating func stop() {
        if case .backingOff = self.state { self.state = .closed }
    }

    /// The wait before dialling again is over: dial, unless the link was closed meanwhile.
    mutating func dialAgain() -> Bool {
        guard case .backingOff(let backoff) = self.state else { return false }
        self.state = .connecting(backoff)
        return true
    }

    /// What the serving task does now that a connection has ended.
    func next(policy: ReconnectPolicy?) -> Next {
        switch self.state {
        case .backingOff(let backoff):
            guard let policy else { return .stop }
            return .dial(after: policy.delay(before: backoff.failures))
        case .closed, .connecting, .ready, .draining:
            return .stop
        }
    }
}
