/// Tells a run's observers what happens in it, in order, on a task of their own: an observer that writes a
/// file or a terminal never holds up an event loop, nor a caller that submits.
final class ObserverQueue: Sendable {
    enum Event: Sendable {
        case submitted(AnyJobFuture)
        case done(JobRecord)
        case connected(ConnectedWorker, again: Bool)
        case lost(WorkerAddress, reason: String)
        case stopped(ReliabilityCounts)
    }

    private let events: AsyncStream<Event>.Continuation
    private let delivery: Task<Void, Never>?

    init(_ observers: [any JobObserver]) {
        let (stream, events) = AsyncStream.makeStream(of: Event.self)
        self.events = events
        self.delivery = observers.isEmpty ? nil : Task {
            for await event in stream {
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
        }
    }

    /// Whether there is anyone to tell: with no observer, nothing is posted and no task runs.
    var isEmpty: Bool { self.delivery == nil }

    func post(_ event: Event) {
        guard !self.isEmpty else { return }
        self.events.yield(event)
    }

    /// Returns once every event posted so far has been delivered; later posts are dropped.
    func finish() async {
        self.events.finish()
        await self.delivery?.value
    }
}
