import NIOCore

extension Cluster {
    /// Runs the job `makeJob` builds for each input and gives the outputs in input order, as Python's
    /// `executor.map`.
    ///
    /// Inputs are read lazily: at most `window` jobs (default twice what the workers hold at once) are out at
    /// a time, so mapping ten million inputs never queues ten million jobs. Iteration throws the first
    /// failure it reaches, a ``JobError``; jobs submitted after it are cancelled when the iterator goes away.
    /// With `timeout`, an output not ready that long after the call throws ``AsCompletedTimeout``.
    public func map<Inputs: Sequence, J: Job>(
        _ inputs: Inputs,
        timeout: Duration? = nil,
        window: Int? = nil,
        _ makeJob: @escaping (Inputs.Element) -> J
    ) -> ClusterMapSequence<Inputs, J> {
        ClusterMapSequence(
            cluster: self,
            inputs: inputs,
            makeJob: makeJob,
            window: window,
            deadline: timeout.map { ContinuousClock.now + $0 }
        )
    }
}

/// The outputs of ``Cluster/map(_:timeout:window:_:)``, in input order.
public struct ClusterMapSequence<Inputs: Sequence, J: Job>: AsyncSequence {
    public typealias Element = J.Output

    let cluster: Cluster
    let inputs: Inputs
    let makeJob: (Inputs.Element) -> J
    let window: Int?
    let deadline: ContinuousClock.Instant?

    public func makeAsyncIterator() -> Iterator {
        Iterator(sequence: self)
    }

    public struct Iterator: AsyncIteratorProtocol {
        private let cluster: Cluster
        private var inputs: Inputs.Iterator
        private let makeJob: (Inputs.Element) -> J
        private let window: Int?
        private let deadline: ContinuousClock.Instant?
        private let outstanding = Outstanding()

        init(sequence: ClusterMapSequence) {
            self.cluster = sequence.cluster
            self.inputs = sequence.inputs.makeIterator()
            self.makeJob = sequence.makeJob
            self.window = sequence.window
            self.deadline = sequence.deadline
        }

        public mutating func next() async throws -> J.Output? {
            let limit = Swift.max(1, self.window ?? 2 * self.cluster.capacity)
            while self.outstanding.futures.count < limit, let input = self.inputs.next() {
                self.outstanding.futures.append(try self.cluster.submit(self.makeJob(input)))
            }
            guard !self.outstanding.futures.isEmpty else { return nil }
            let future = self.outstanding.futures.removeFirst()
            if let deadline = self.deadline {
                let queue = CompletionQueue(watching: [future.erased])
                guard await queue.next(before: deadline) != nil else {
                    throw AsCompletedTimeout(notDone: self.outstanding.futures.count + 1)
                }
            }
            return try await future.value
        }
    }

    /// The futures submitted and not yet read; cancelled if the iteration ends early.
    final class Outstanding {
        var futures = CircularBuffer<JobFuture<J.Output>>()

        deinit {
            for future in self.futures { future.cancel() }
        }
    }
}
