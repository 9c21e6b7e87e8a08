import FanoutLocking

/// Tells a run's observers what happens in it, in order, on a task of their own: an observer that writes a
/// file or a terminal never holds up an event loop, nor a caller that submits.
///
/// Events are delivered in batches: the task takes every event posted while it was busy at once, and is
/// woken once per batch, not once per event.
final class ObserverQueue: Sendable {
    enum Event: Sendable {
        case submitted(AnyJobFuture)
        /// The job is done; its record is made on the delivering task, not where the future resolved (an event loop).
        case done(AnyJobFuture, input: String)
        case connected(ConnectedWorker, again: Bool)
        case lost(WorkerAddress, reason: String)
        case stopped(ReliabilityCounts)
    }

    /// The events not yet delivered, and the delivering task when it waits for more.
    private final class Pending: Sendable {
        struct State {
            var events: [Event] = []
            /// The delivering task, parked until an event is posted or the queue finishes: the one key is 0.
            var waiting = Waiters<Int, Bool>()
            var finished = false
        }

        let state = Locked(State())

        /// Swaps the events posted so far into `batch`; nil once the queue has finished and every event was taken.
        func take(into batch: inout [Event]) -> Bool {
            self.state.withLock { state in
                swap(&batch, &state.events)
                return !batch.isEmpty || !state.finished
            }
        }

        /// Waits until there is an event to take or the queue has finished; returns false when its task is cancelled.
        func wait() async -> Bool {
            await suspend(ifCancelled: false) { waiter in
                self.state.withLock { state in
                    !state.events.isEmpty || state.finished ? .now(true) : state.waiting.park(waiter, as: 0)
                }
            } unpark: {
                self.state.withLock { $0.waiting.take(0) }
            }
        }
    }

    private let pending = Pending()
    private let delivery: Task<Void, Never>?

    init(_ observers: [any JobObserver]) {
        let pending = self.pending
        self.delivery = observers.isEmpty ? nil : Task {
            var batch: [Event] = []
            var delivery = Delivery(observers: observers)
            while pending.take(into: &batch) {
                if batch.isEmpty {
                    guard await pending.wait() else { return }
                    continue
                }
                for event in batch { delivery.add(event) }
                delivery.flush()
                batch.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Hands a batch's events to the observers in order, consecutive submits and consecutive ends each in one call.
    private struct Delivery {
        let observers: [any JobObserver]
        var submitted: [AnyJobFuture] = []
        var done: [JobRecord] = []

        mutating func add(_ event: Event) {
            switch event {
            case .submitted(let future):
                if !self.done.isEmpty { self.flush() }
                self.submitted.append(future)
            case .done(let future, let input):
                if !self.submitted.isEmpty { self.flush() }
                self.done.append(JobRecord(future, input: input))
            case .connected(let worker, let again):
                self.flush()
                for observer in self.observers { observer.workerConnected(worker, again: again) }
            case .lost(let address, let reason):
                self.flush()
                for observer in self.observers { observer.workerLost(address, reason: reason) }
            case .stopped(let reliability):
                self.flush()
                for observer in self.observers { observer.clusterStopped(reliability) }
            }
        }

        /// Delivers the submits or ends gathered.
        mutating func flush() {
            if !self.submitted.isEmpty {
                for observer in self.observers { observer.jobsSubmitted(self.submitted[...]) }
                self.submitted.removeAll(keepingCapacity: true)
            }
            if !self.done.isEmpty {
                for observer in self.observers { observer.jobsDone(self.done[...]) }
                self.done.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Whether there is anyone to tell: with no observer, nothing is posted and no task runs.
    var isEmpty: Bool { self.delivery == nil }

    func post(_ event: Event) {
        guard !self.isEmpty else { return }
        let waiting = self.pending.state.withLock { state -> Waiter<Bool>? in
            guard !state.finished else { return nil }
            state.events.append(event)
            return state.waiting.take(0)
        }
        waiting?.resume(returning: true)
    }

    /// Returns once every event posted so far has been delivered; later posts are dropped.
    func finish() async {
        let waiting = self.pending.state.withLock { state -> Waiter<Bool>? in
            state.finished = true
            return state.waiting.take(0)
        }
        waiting?.resume(returning: true)
        await self.delivery?.value
    }
}
