import FanoutJobs
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
    /// `timeout`, an output not ready that long after the call throws a ``ClusterError`` with code `timedOut`, which counts
    /// the jobs (or batches) not yet read.
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

    // Inlinable down to submitting, so that a caller's map is compiled for its kind: unspecialized, looking up
    // generic metadata took half the coordinator's time per output. What does not depend on the kind is out of
    // line, in Cluster.
    public struct Iterator: AsyncIteratorProtocol {
        @usableFromInline let cluster: Cluster
        @usableFromInline var inputs: Inputs.Iterator
        @usableFromInline let makeJob: (Inputs.Element) -> J
        @usableFromInline let chunksize: Int
        @usableFromInline let window: Int?
        @usableFromInline let deadline: ContinuousClock.Instant?
        @usableFromInline let outstanding = Outstanding()

        init(sequence: ClusterMapSequence) {
            self.cluster = sequence.cluster
            self.inputs = sequence.inputs.makeIterator()
            self.makeJob = sequence.makeJob
            self.chunksize = sequence.chunksize
            self.window = sequence.window
            self.deadline = sequence.deadline
        }

        @inlinable
        public mutating func next() async throws -> J.Output? {
            if let output = try self.outstanding.takeReady() { return output }
            return try await self.nextBatchOrJob()
        }

        /// Submits what the window allows and waits for the oldest job or batch.
        @inlinable
        mutating func nextBatchOrJob() async throws -> J.Output? {
            let limit = try self.cluster.mapLimit(chunksize: self.chunksize, window: self.window)
            while self.outstanding.futures.count < limit, let next = try self.submitNext() {
                self.outstanding.futures.append(next)
            }
            // The oldest stays outstanding until its output is in hand, so that if this task is cancelled
            // while it waits, the iterator going away cancels it with the rest.
            guard let next = self.outstanding.futures.first else { return nil }
            if let deadline = self.deadline {
                try await Cluster.waitForOldest(next.erased, before: deadline, outstanding: self.outstanding.futures.count)
            }
            switch next {
            case .job(let future):
                let output = try await future.value
                self.outstanding.futures.removeFirst()
                return output
            case .batch(let future, let jobs):
                let outputs = try await future.value
                self.outstanding.futures.removeFirst()
                guard outputs.count == jobs else {
                    throw JobError.miscountedBatch(future.erased, jobs: jobs, outputs: outputs.count)
                }
                self.outstanding.read(future, outputs: outputs)
                return try self.outstanding.takeReady()
            }
        }

        /// Submits the next input's job, or the next `chunksize` inputs' batch; nil when the inputs are spent.
        @inlinable
        mutating func submitNext() throws -> Outstanding.Submitted? {
            guard self.chunksize > 1 else {
                return try self.inputs.next().map { .job(try self.cluster.submit(self.makeJob($0))) }
            }
            var jobs: [J] = []
            jobs.reserveCapacity(Swift.min(self.chunksize, 4096))
            while jobs.count < self.chunksize, let input = self.inputs.next() {
                jobs.append(self.makeJob(input))
            }
            guard !jobs.isEmpty else { return nil }
            return .batch(try self.cluster.submit(JobBatch(jobs)), jobs: jobs.count)
        }
    }

    /// The jobs and batches submitted and not yet read; cancelled if the iteration ends early.
    @usableFromInline
    final class Outstanding {
        @usableFromInline
        enum Submitted {
            case job(JobFuture<J.Output>)
            case batch(JobFuture<[Result<J.Output, JobFailure>]>, jobs: Int)

            @inlinable
            var erased: AnyJobFuture {
                switch self {
                case .job(let future): future.erased
                case .batch(let future, _): future.erased
                }
            }
        }

        @usableFromInline var futures = CircularBuffer<Submitted>()
        /// The batch being read, its outputs, and the index of the next one to give.
        @usableFromInline var ready: (batch: JobFuture<[Result<J.Output, JobFailure>]>, outputs: [Result<J.Output, JobFailure>])?
        @usableFromInline var nextReady = 0

        @usableFromInline
        init() {}

        /// Starts reading `batch`'s outputs.
        @inlinable
        func read(_ batch: JobFuture<[Result<J.Output, JobFailure>]>, outputs: [Result<J.Output, JobFailure>]) {
            self.ready = (batch, outputs)
            self.nextReady = 0
        }

        /// The next output of the batch being read; throws the job's error if it failed.
        @inlinable
        func takeReady() throws -> J.Output? {
            guard let (batch, outputs) = self.ready, self.nextReady < outputs.count else { return nil }
            let index = self.nextReady
            self.nextReady += 1
            switch outputs[index] {
            case .success(let output):
                return output
            case .failure(let failure):
                throw Self.error(failure, of: batch, at: index)
            }
        }

        /// The error of `batch`'s job at `index`, which failed with `failure`.
        @usableFromInline
        static func error(_ failure: JobFailure, of batch: JobFuture<[Result<J.Output, JobFailure>]>, at index: Int) -> JobError {
            JobError(
                job: batch.id,
                batchIndex: index,
                kind: J.kind,
                worker: batch.worker,
                attempts: batch.erased.attempts,
                reason: .failed(failure)
            )
        }

        deinit {
            for future in self.futures { future.erased.cancel() }
        }
    }
}

extension Cluster {
    /// How many jobs, or batches, a map keeps out at once; throws when `chunksize` is below 1.
    @usableFromInline
    func mapLimit(chunksize: Int, window: Int?) throws -> Int {
        guard chunksize >= 1 else {
            throw ClusterError(.invalidArgument, "map's chunksize is \(chunksize); it must be at least 1")
        }
        return Swift.max(1, window ?? 2 * self.capacity)
    }

    /// Waits until `future`, the oldest of a map's `outstanding` jobs or batches, is done; throws
    /// a ``ClusterError`` with code `timedOut` if it is not by `deadline`.
    @usableFromInline
    static func waitForOldest(_ future: AnyJobFuture, before deadline: ContinuousClock.Instant, outstanding: Int) async throws {
        let queue = CompletionQueue(watching: [future])
        guard await queue.next(before: deadline) != nil else {
            try Task.checkCancellation()
            throw ClusterError(.timedOut, "\(outstanding) futures were not done before the timeout")
        }
    }
}

extension JobError {
    /// The error for `batch`, of `jobs` jobs, answered with `outputs` outputs.
    @usableFromInline
    static func miscountedBatch(_ batch: AnyJobFuture, jobs: Int, outputs: Int) -> JobError {
        JobError(
            job: batch.id,
            kind: batch.kind,
            worker: batch.worker,
            attempts: batch.attempts,
            reason: .undecodableOutput("a batch of \(jobs) jobs was answered with \(outputs) outputs")
        )
    }
}
