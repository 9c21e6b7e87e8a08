import FanoutLocking

/// Tells a run's observers what happens in it, in order, on a task of their own: an observer that writes a
/// file or a terminal never holds up an event loop, nor a caller that submits.
///
/// Events are delivered in batches: the task takes every event posted while it was busy at once, and is
/// woken once per batch, not once per event.
final class ObserverQueue: Sendable {
    enum Event: Sendable {
        case submitted(AnyJobFuture)
        case done(JobRecord)
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
            while pending.take(into: &batch) {
                if batch.isEmpty {
                    guard await pending.wait() else { return }
                    continue
                }
                for event in batch {
                    for observer in observers {
                        switch event {
                        case .submitted(let future): observer.jobSubmitted(future)
                        case .done(let record): observer.jobDone(record)
                        case .connected(let worker, let again): observer.workerConnected(worker, again: again)
                        case .lost(let address, let reason): observer.workerLost(address, reason: reason)
                        case .stopped(let reliability): observer.clusterStopped(reliability)
                        }
                    }
                }
                batch.removeAll(keepingCapacity: true)
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
