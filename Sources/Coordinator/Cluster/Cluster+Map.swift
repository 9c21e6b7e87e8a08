import FanoutProtocol
import NIOCore

extension Cluster {
    /// Runs the job `makeJob` builds for each input and gives the outputs in input order, as Python's
    /// `executor.map`.
    ///
    /// With `chunksize` above 1, inputs go out in batches of that many jobs (see ``JobBatch``), each run in one
    /// slot and answered in one frame: much faster for jobs that take microseconds. Inputs are read lazily:
    /// at most `window` jobs, or batches, are out at a time (default twice what the workers hold at once),
    /// so mapping ten million inputs never queues ten million jobs. Iteration throws the first failure it
    /// reaches, a ``JobError``; jobs submitted after it are cancelled when the iterator goes away. With
    /// `timeout`, an output not ready that long after the call throws ``AsCompletedTimeout``.
    public func map<Inputs: Sequence, J: Job>(
        _ inputs: Inputs,
        chunksize: Int = 1,
        timeout: Duration? = nil,
        window: Int? = nil,
        _ makeJob: @escaping (Inputs.Element) -> J
    ) -> ClusterMapSequence<Inputs, J> {
        ClusterMapSequence(
            cluster: self,
            inputs: inputs,
            makeJob: makeJob,
            chunksize: chunksize,
            window: window,
            deadline: timeout.map { ContinuousClock.now + $0 }
        )
    }
}

/// The outputs of ``Cluster/map(_:chunksize:timeout:window:_:)``, in input order.
public struct ClusterMapSequence<Inputs: Sequence, J: Job>: AsyncSequence {
    public typealias Element = J.Output

    let cluster: Cluster
    let inputs: Inputs
    let makeJob: (Inputs.Element) -> J
    let chunksize: Int
    let window: Int?
    let deadline: ContinuousClock.Instant?

    public func makeAsyncIterator() -> Iterator {
        Iterator(sequence: self)
    }

    public struct Iterator: AsyncIteratorProtocol {
        private let cluster: Cluster
        private var inputs: Inputs.Iterator
        private let makeJob: (Inputs.Element) -> J
        private let chunksize: Int
        private let window: Int?
        private let deadline: ContinuousClock.Instant?
        private let outstanding = Outstanding()

        init(sequence: ClusterMapSequence) {
            self.cluster = sequence.cluster
            self.inputs = sequence.inputs.makeIterator()
            self.makeJob = sequence.makeJob
            self.chunksize = sequence.chunksize
            self.window = sequence.window
            self.deadline = sequence.deadline
        }

        public mutating func next() async throws -> J.Output? {
            guard self.chunksize >= 1 else {
                throw ClusterError("map's chunksize is \(self.chunksize); it must be at least 1")
            }
            if let output = try self.outstanding.takeReady() { return output }
            let limit = Swift.max(1, self.window ?? 2 * self.cluster.capacity)
            while self.outstanding.futures.count < limit, let next = try self.submitNext() {
                self.outstanding.futures.append(next)
            }
            guard let next = self.outstanding.futures.popFirst() else { return nil }
            if let deadline = self.deadline {
                let queue = CompletionQueue(watching: [next.erased])
                guard await queue.next(before: deadline) != nil else {
                    self.outstanding.futures.prepend(next)
                    throw AsCompletedTimeout(notDone: self.outstanding.futures.count)
                }
            }
            switch next {
            case .job(let future):
                return try await future.value
            case .batch(let future):
                self.outstanding.ready = (future, try await future.value[...])
                return try self.outstanding.takeReady()
            }
        }

        /// Submits the next input's job, or the next `chunksize` inputs' batch; nil when the inputs are spent.
        private mutating func submitNext() throws -> Outstanding.Submitted? {
            guard self.chunksize > 1 else {
                return try self.inputs.next().map { .job(try self.cluster.submit(self.makeJob($0))) }
            }
            var jobs: [J] = []
            jobs.reserveCapacity(self.chunksize)
            while jobs.count < self.chunksize, let input = self.inputs.next() {
                jobs.append(self.makeJob(input))
            }
            guard !jobs.isEmpty else { return nil }
            return .batch(try self.cluster.submit(JobBatch(jobs)))
        }
    }

    /// The jobs and batches submitted and not yet read; cancelled if the iteration ends early.
    final class Outstanding {
        enum Submitted {
            case job(JobFuture<J.Output>)
            case batch(JobFuture<[Result<J.Output, JobFailure>]>)

            var erased: AnyJobFuture {
                switch self {
                case .job(let future): future.erased
                case .batch(let future): future.erased
                }
            }
        }

        var futures = CircularBuffer<Submitted>()
        /// The outputs of the batch being read, and that batch.
        var ready: (batch: JobFuture<[Result<J.Output, JobFailure>]>, outputs: ArraySlice<Result<J.Output, JobFailure>>)?

        /// The next output of the batch being read; throws the job's error if it failed.
        func takeReady() throws -> J.Output? {
            guard let (batch, outputs) = self.ready, let first = outputs.first else { return nil }
            let index = outputs.startIndex
            self.ready = (batch, outputs.dropFirst())
            switch first {
            case .success(let output):
                return output
            case .failure(let failure):
                var kind = JobKind.batch
                if case .batch(let items) = batch.erased.spec, items.indices.contains(index) { kind = items[index].kind }
                throw JobError(
                    job: batch.id,
                    batchIndex: index,
                    kind: kind,
                    worker: batch.worker,
                    attempts: batch.erased.attempts,
                    reason: .failed(failure)
                )
            }
        }

        deinit {
            for future in self.futures { future.erased.cancel() }
        }
    }
}
