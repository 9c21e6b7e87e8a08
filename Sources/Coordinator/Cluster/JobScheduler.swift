import FanoutProtocol
import NIOCore

/// Which worker runs which job: a FIFO queue in front of the workers, each given at most its credit (slots
/// plus a prefetch that grows for short jobs, see ``WorkerCredit``) at once, the next job going to the worker
/// with the most room.
///
/// A pure state machine: every call says what to send and which futures to resolve; the caller does it.
struct JobScheduler {
    struct Entry {
        var future: AnyJobFuture
        var timeoutNanoseconds: UInt64
        /// 0 until first sent; counts each sending.
        var attempt: UInt16 = 0
        var worker: WorkerID?
        var started = false
        /// Resolved already (cancelled while a worker held it); kept until that worker lets go.
        var abandoned = false
    }

    struct Assignment {
        var worker: WorkerID
        var submit: Submit
        var future: AnyJobFuture
    }

    enum Cancellation {
        /// Not known here: done already, or never submitted.
        case unknown
        /// Taken from the queue: resolve it as cancelled.
        case removedFromQueue(AnyJobFuture)
        /// A worker holds it but has not started it: resolve it as cancelled and tell that worker.
        case withdrawn(AnyJobFuture, from: WorkerID)
        /// It has started; it cannot be cancelled.
        case running
    }

    /// What became of a job whose worker's child process died running it.
    enum Crash {
        /// The answer was for an attempt no longer current: dropped.
        case stale
        /// Back in the queue for another attempt (its future nil when it was already resolved).
        case retried(AnyJobFuture?, [Assignment])
        /// Out of attempts: fail the future with the error.
        case exhausted(AnyJobFuture, JobError, [Assignment])
    }

    /// What became of the jobs of a worker that was lost.
    struct Loss {
        /// Jobs back in the queue for another attempt.
        var requeued: [AnyJobFuture] = []
        /// Jobs that ran out of attempts, with the error to fail them with.
        var exhausted: [(AnyJobFuture, JobError)] = []
        /// Jobs that cannot run because no worker is left.
        var stranded: [(AnyJobFuture, JobError)] = []
        var assignments: [Assignment] = []
    }

    private struct WorkerState {
        var name: String
        var credit: WorkerCredit
        var held: Set<JobID> = []
        var free: Int { self.credit.limit - self.held.count }
    }

    let maximumAttempts: Int
    private var queue = CircularBuffer<JobID>()
    private var jobs = JobTable<Entry>()
    private var workers: [WorkerID: WorkerState] = [:]
    /// The workers each job took down (see ``JobError/Reason/crashedWorkers(_:)``), for jobs that took any.
    private var casualties: [JobID: [String]] = [:]
    /// Answers for an attempt no longer current, whose worker was lost or whose job went elsewhere: dropped.
    private(set) var lateResultsDropped = 0
    /// Jobs sent again because their worker was lost, or died, under them.
    private(set) var retries = 0

    init(maximumAttempts: Int) {
        precondition(maximumAttempts >= 1)
        self.maximumAttempts = maximumAttempts
    }

    var hasWorkers: Bool { !self.workers.isEmpty }
    var queuedCount: Int { self.queue.count }
    /// Jobs given to workers and not yet answered, over all workers.
    var heldCount: Int { self.workers.values.reduce(0) { $0 + $1.held.count } }
    /// What all workers can hold at once.
    var totalCapacity: Int { self.workers.values.reduce(0) { $0 + $1.credit.limit } }
    /// Jobs not yet resolved.
    var unresolved: [AnyJobFuture] { self.jobs.values.filter { !$0.abandoned }.map(\.future) }

    mutating func addWorker(_ id: WorkerID, name: String, credit: WorkerCredit) -> [Assignment] {
        self.workers[id] = WorkerState(name: name, credit: credit)
        return self.dispatch()
    }

    /// Queues a new job; returns where to send what can go now.
    mutating func enqueue(_ future: AnyJobFuture, timeoutNanoseconds: UInt64) -> [Assignment] {
        self.jobs[future.id] = Entry(future: future, timeoutNanoseconds: timeoutNanoseconds)
        self.queue.append(future.id)
        return self.dispatch()
    }

    /// The future of `job` if `worker` holds it for `attempt`.
    func future(of job: JobID, attempt: UInt16, on worker: WorkerID) -> AnyJobFuture? {
        guard let entry = self.jobs[job], entry.worker == worker, entry.attempt == attempt else { return nil }
        return entry.future
    }

    /// A worker started `job`: the future to mark running, if the start is for the current attempt.
    mutating func started(_ job: JobID, attempt: UInt16, on worker: WorkerID) -> AnyJobFuture? {
        guard var entry = self.jobs[job], entry.worker == worker, entry.attempt == attempt, !entry.abandoned else {
            return nil
        }
        entry.started = true
        self.jobs[job] = entry
        return entry.future
    }

    /// A worker answered with `result` at `answeredAt` (the coordinator's clock): frees the job's room there and
    /// adjusts the worker's credit by the job's run time and the rest of its round trip; returns the future to
    /// resolve (nil when the answer is stale or the job was already resolved) and what to send next.
    mutating func answered(_ result: JobResult, on worker: WorkerID, at answeredAt: UInt64) -> (AnyJobFuture?, [Assignment]) {
        let job = result.jobID
        guard let entry = self.jobs[job], entry.worker == worker, entry.attempt == result.attempt else {
            self.lateResultsDropped += 1
            return (nil, [])
        }
        self.forget(job)
        self.workers[worker]?.held.remove(job)
        if let sent = entry.future.times.sent {
            let network = JobTimes.network(sent: sent, answered: answeredAt, atWorker: result.queueNanoseconds &+ result.runNanoseconds)
            self.workers[worker]?.credit.observe(runNanoseconds: result.runNanoseconds, returnNanoseconds: network)
        }
        return (entry.abandoned ? nil : entry.future, self.dispatch())
    }

    /// A worker turned `job` away without running it: it is draining (and takes no more jobs), or its queue
    /// is full (and it takes no more than it holds). The job goes back to the front of the queue, this
    /// sending not counted as an attempt.
    mutating func refused(_ job: JobID, attempt: UInt16, on worker: WorkerID, draining: Bool) -> [Assignment] {
        guard var entry = self.jobs[job], entry.worker == worker, entry.attempt == attempt else { return [] }
        if var state = self.workers[worker] {
            state.held.remove(job)
            state.credit.ceiling = draining ? 0 : max(1, state.held.count)
            self.workers[worker] = state
        }
        if entry.abandoned {
            self.forget(job)
            return self.dispatch()
        }
        entry.attempt -= 1
        entry.worker = nil
        entry.started = false
        self.jobs[job] = entry
        self.queue.prepend(job)
        return self.dispatch()
    }

    mutating func cancel(_ job: JobID) -> Cancellation {
        guard var entry = self.jobs[job], !entry.abandoned else { return .unknown }
        guard let worker = entry.worker else {
            if let index = self.queue.firstIndex(of: job) {
                self.queue.remove(at: index)
            }
            self.forget(job)
            return .removedFromQueue(entry.future)
        }
        if entry.started { return .running }
        entry.abandoned = true
        self.jobs[job] = entry
        return .withdrawn(entry.future, from: worker)
    }

    /// The child process running `job` on `worker` died, and the worker lives on: the job goes back to the front
    /// of the queue for another attempt, or fails when it has had every attempt.
    mutating func crashed(_ job: JobID, attempt: UInt16, on worker: WorkerID, error: String) -> Crash {
        guard let entry = self.jobs[job], entry.worker == worker, entry.attempt == attempt else {
            self.lateResultsDropped += 1
            return .stale
        }
        self.workers[worker]?.held.remove(job)
        let name = self.workers[worker]?.name ?? "worker \(worker.rawValue)"
        if entry.abandoned {
            self.forget(job)
            return .retried(nil, self.dispatch())
        }
        if let failure = self.retry(job, entry, after: name, tookItDown: true, lastError: error) {
            return .exhausted(entry.future, failure, self.dispatch())
        }
        return .retried(entry.future, self.dispatch())
    }

    /// A worker is gone: its jobs go back to the front of the queue for another attempt, or fail when they
    /// have had every attempt or no worker is left (unless `expectingWorkers`: some are reconnecting).
    ///
    /// - Parameter crashed: whether the connection broke (the worker died), rather than went silent; a job
    ///   running there then counts as having taken the worker down.
    mutating func removeWorker(_ id: WorkerID, error: String, crashed: Bool, expectingWorkers: Bool = false) -> Loss {
        guard let lost = self.workers.removeValue(forKey: id) else { return Loss() }
        var loss = Loss()
        for job in lost.held.sorted(by: >) {
            guard let entry = self.jobs[job] else { continue }
            if entry.abandoned {
                self.forget(job)
                continue
            }
            if let failure = self.retry(job, entry, after: lost.name, tookItDown: crashed && entry.started, lastError: error) {
                loss.exhausted.append((entry.future, failure))
            } else {
                loss.requeued.append(entry.future)
            }
        }
        if self.workers.isEmpty && !expectingWorkers {
            loss.stranded = self.strandQueued()
        }
        loss.assignments = self.dispatch()
        return loss
    }

    /// Puts `job` back at the front of the queue after its worker `name` was lost, or, when it has had every
    /// attempt, forgets it and returns the error to fail it with.
    ///
    /// - Parameter tookItDown: whether the worker (or its child) died while running the job.
    private mutating func retry(_ job: JobID, _ entry: Entry, after name: String, tookItDown: Bool, lastError: String) -> JobError? {
        if tookItDown {
            self.casualties[job, default: []].append(name)
        }
        guard Int(entry.attempt) < self.maximumAttempts else {
            let casualties = self.casualties[job] ?? []
            self.forget(job)
            let reason: JobError.Reason =
                casualties.count == Int(entry.attempt) ? .crashedWorkers(casualties) : .workersLost(lastError: lastError)
            return self.error(entry, worker: name, reason: reason)
        }
        var entry = entry
        entry.worker = nil
        entry.started = false
        self.jobs[job] = entry
        self.queue.prepend(job)
        self.retries += 1
        return nil
    }

    private mutating func forget(_ job: JobID) {
        self.jobs[job] = nil
        if !self.casualties.isEmpty {
            self.casualties[job] = nil
        }
    }

    /// Gives up every job: the queued ones leave the queue, the held ones are marked abandoned so that their
    /// answers, or their worker's loss, change nothing. Returns their futures, to resolve.
    mutating func abandonAll() -> [AnyJobFuture] {
        var abandoned: [AnyJobFuture] = []
        for job in self.queue {
            guard let entry = self.jobs[job] else { continue }
            self.forget(job)
            abandoned.append(entry.future)
        }
        self.queue.removeAll()
        for (id, worker) in self.workers {
            for job in worker.held {
                guard var entry = self.jobs[job], !entry.abandoned else { continue }
                entry.abandoned = true
                self.jobs[job] = entry
                abandoned.append(entry.future)
            }
            self.workers[id]?.credit.ceiling = 0
        }
        return abandoned
    }

    /// With no worker left, every queued job fails.
    mutating func strandQueued() -> [(AnyJobFuture, JobError)] {
        var stranded: [(AnyJobFuture, JobError)] = []
        for job in self.queue {
            guard let entry = self.jobs[job] else { continue }
            self.forget(job)
            stranded.append((entry.future, self.error(entry, worker: entry.future.worker, reason: .noWorkers)))
        }
        self.queue.removeAll()
        return stranded
    }

    private func error(_ entry: Entry, worker: String?, reason: JobError.Reason) -> JobError {
        JobError(job: entry.future.id, kind: entry.future.kind, worker: worker, attempts: Int(entry.attempt), reason: reason)
    }

    /// Gives queued jobs to the workers with the most room, while any has room.
    private mutating func dispatch() -> [Assignment] {
        var assignments: [Assignment] = []
        while let job = self.queue.first {
            var roomiest: (worker: WorkerID, free: Int)?
            for (id, state) in self.workers where state.free > 0 {
                if let best = roomiest, best.free > state.free || (best.free == state.free && best.worker < id) { continue }
                roomiest = (id, state.free)
            }
            guard let worker = roomiest?.worker else { break }
            self.queue.removeFirst()
            guard var entry = self.jobs[job] else { continue }
            entry.attempt += 1
            entry.worker = worker
            entry.started = false
            self.jobs[job] = entry
            self.workers[worker]?.held.insert(job)
            assignments.append(
                Assignment(
                    worker: worker,
                    submit: Submit(jobID: job, attempt: entry.attempt, timeoutNanoseconds: entry.timeoutNanoseconds, spec: entry.future.spec),
                    future: entry.future
                )
            )
        }
        return assignments
    }
}
