extension Cluster {
    /// Waits until `condition` holds for `futures`, or `timeout` passes; returns which are done.
    public func wait(
        _ futures: some Sequence<AnyJobFuture>,
        returnWhen condition: WaitCondition = .allCompleted,
        timeout: Duration? = nil
    ) async -> WaitResult<AnyJobFuture> {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        var notDone = Set(futures)
        var done = Set<AnyJobFuture>()
        func satisfied() -> Bool {
            switch condition {
            case .firstCompleted: !done.isEmpty || notDone.isEmpty
            case .firstException: notDone.isEmpty || done.contains { $0.state == .failed }
            case .allCompleted: notDone.isEmpty
            }
        }
        for future in notDone where future.isDone {
            done.insert(future)
        }
        notDone.subtract(done)
        guard !satisfied() else { return WaitResult(done: done, notDone: notDone) }

        let queue = CompletionQueue(watching: notDone)
        while !satisfied(), let future = await queue.next(before: deadline) {
            if notDone.remove(future) != nil { done.insert(future) }
        }
        return WaitResult(done: done, notDone: notDone)
    }

    /// As ``wait(_:returnWhen:timeout:)-(some Sequence<AnyJobFuture>,_,_)``, keeping the futures' output type.
    public func wait<Output>(
        _ futures: [JobFuture<Output>],
        returnWhen condition: WaitCondition = .allCompleted,
        timeout: Duration? = nil
    ) async -> WaitResult<JobFuture<Output>> {
        let result = await self.wait(futures.map(\.erased), returnWhen: condition, timeout: timeout)
        return WaitResult(
            done: Set(futures.filter { result.done.contains($0.erased) }),
            notDone: Set(futures.filter { result.notDone.contains($0.erased) })
        )
    }

    /// Each future once, as it completes (those already done first); throws a ``ClusterError`` with code `timedOut` when
    /// `timeout` passes before all are done.
    public func asCompleted(
        _ futures: some Sequence<AnyJobFuture>,
        timeout: Duration? = nil
    ) -> AsCompletedSequence<AnyJobFuture> {
        AsCompletedSequence(futures.map { ($0, $0) }, timeout: timeout)
    }

    /// As ``asCompleted(_:timeout:)-(some Sequence<AnyJobFuture>,_)``, keeping the futures' output type.
    public func asCompleted<Output>(
        _ futures: [JobFuture<Output>],
        timeout: Duration? = nil
    ) -> AsCompletedSequence<JobFuture<Output>> {
        AsCompletedSequence(futures.map { ($0.erased, $0) }, timeout: timeout)
    }
}

/// Futures in completion order, each once.
public struct AsCompletedSequence<Future: Sendable>: AsyncSequence, Sendable {
    public typealias Element = Future

    private let futures: [(AnyJobFuture, Future)]
    private let timeout: Duration?

    init(_ futures: [(AnyJobFuture, Future)], timeout: Duration?) {
        self.futures = futures
        self.timeout = timeout
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(futures: self.futures, deadline: self.timeout.map { ContinuousClock.now + $0 })
    }

    public struct Iterator: AsyncIteratorProtocol {
        private var remaining: [AnyJobFuture: Future]
        private let queue: CompletionQueue
        private let deadline: ContinuousClock.Instant?

        init(futures: [(AnyJobFuture, Future)], deadline: ContinuousClock.Instant?) {
            self.remaining = Dictionary(futures, uniquingKeysWith: { first, _ in first })
            self.queue = CompletionQueue(watching: self.remaining.keys)
            self.deadline = deadline
        }

        public mutating func next() async throws -> Future? {
            guard !self.remaining.isEmpty else { return nil }
            while let done = await self.queue.next(before: self.deadline) {
                if let future = self.remaining.removeValue(forKey: done) { return future }
            }
            try Task.checkCancellation()
            throw ClusterError(.timedOut, "\(self.remaining.count) futures were not done before the timeout")
        }
    }
}
