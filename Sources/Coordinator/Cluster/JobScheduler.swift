import FanoutProtocol
import NIOCore

/// Which worker runs which job: a FIFO queue per kind in front of the workers, each given at most its credit
/// (slots plus a prefetch that grows for short jobs, see ``WorkerCredit``) at once. The oldest job that some
/// worker with room runs goes next, to the worker with the most room among those that run its kind.
///
/// A pure state machine: every call says what to send and which futures to resolve; the caller does it.
struct JobScheduler {
    private struct WorkerState {
        var name: String
        /// Every kind it runs, with its number on its connection.
        var listed: [JobKindName: JobKindID]
        /// The same numbers by the kinds' places in ``JobScheduler/kinds``, for the kinds jobs have been
        /// submitted of; nil, or past the end, for a kind it does not run.
        var kinds: [JobKindID?] = []
        var credit: WorkerCredit
        var held: Set<JobID> = []
        /// Taken out of the run: it gets no new job, and no longer counts as running its kinds.
        var retired = false
        var free: Int { self.credit.limit - self.held.count }

        /// Records that the kind the scheduler numbered `index` is `number` on this worker's connection.
        mutating func number(_ index: Int, as number: JobKindID) {
            if self.kinds.count <= index { self.kinds += Array(repeating: nil, count: index + 1 - self.kinds.count) }
            self.kinds[index] = number
        }
    }

    let maximumAttempts: Int
    /// Every kind jobs have been submitted of, in order; the scheduler's own small number for a kind is its place
    /// here, so that the hot path compares integers, not names. A kind only a worker lists gets none: a
    /// worker's hello cannot make the scheduler hold or scan queues for kinds nobody submits.
    private var kinds: [JobKindName] = []
    private var kindIndex: [JobKindName: Int] = [:]
    /// Jobs waiting for a worker, oldest first, by kind.
    private var queues: [CircularBuffer<JobID>] = []
    /// Connected workers that run each kind.
    private var runners: [Int] = []
    private(set) var queuedCount = 0
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

    /// Whether a worker that takes jobs is connected.
    var hasWorkers: Bool { self.workers.values.contains { !$0.retired } }
    /// Jobs given to workers and not yet answered, over all workers.
    var heldCount: Int { self.workers.values.reduce(0) { $0 + $1.held.count } }
    /// What all workers can hold at once.
    var totalCapacity: Int { self.workers.values.reduce(0) { $0 + $1.credit.limit } }
    /// Jobs not yet resolved.
    var unresolved: [AnyJobFuture] { self.jobs.values.filter { !$0.abandoned }.map(\.future) }

    /// Jobs `worker` holds, and how many of them it said it started; zeros for a worker not connected.
    func load(of worker: WorkerID) -> (held: Int, running: Int) {
        guard let state = self.workers[worker] else { return (0, 0) }
        return (state.held.count, state.held.reduce(0) { $0 + (self.jobs[$1]?.started == true ? 1 : 0) })
    }

    /// Adds a worker that runs `kinds`, each kind's ``JobKindID`` being its place in the list. `id` is not
    /// connected: a worker lost is removed before it connects again.
    mutating func addWorker(_ id: WorkerID, name: String, kinds: [JobKindName], credit: WorkerCredit) -> [Assignment] {
        var listed: [JobKindName: JobKindID] = [:]
        for (number, kind) in kinds.enumerated() {
            listed[kind] = JobKindID(rawValue: UInt16(truncatingIfNeeded: number))
        }
        var worker = WorkerState(name: name, listed: listed, credit: credit)
        for (index, kind) in self.kinds.enumerated() {
            guard let number = listed[kind] else { continue }
            worker.number(index, as: number)
            self.runners[index] += 1
        }
        self.workers[id] = worker
        return self.dispatch()
    }

    /// The scheduler's number for `kind`, given when the first job of it is submitted.
    mutating func index(of kind: JobKindName) -> Int {
        if let index = self.kindIndex[kind] { return index }
        let index = self.kinds.count
        self.kinds.append(kind)
        self.kindIndex[kind] = index
        self.queues.append(CircularBuffer())
        self.runners.append(0)
        for id in Array(self.workers.keys) {
            guard let number = self.workers[id]?.listed[kind] else { continue }
            self.workers[id]?.number(index, as: number)
            if self.workers[id]?.retired == false { self.runners[index] += 1 }
        }
        return index
    }

    /// Whether a worker connected now runs the kind the scheduler numbered `kind`.
    func runs(number kind: Int) -> Bool {
        self.runners[kind] > 0
    }

    /// The kinds each connected worker runs, by name, for errors.
    var kindsByWorker: [String: [JobKindName]] {
        Dictionary(
            self.workers.values.filter { !$0.retired }.map { ($0.name, $0.listed.keys.sorted()) },
            uniquingKeysWith: { first, _ in first }
        )
    }

    /// Queues a new job of the kind numbered `kind` (``index(of:)``); returns where to send what can go now.
    mutating func enqueue(_ future: AnyJobFuture, kind: Int, timeoutNanoseconds: UInt64) -> [Assignment] {
        self.jobs[future.id] = Entry(future: future, timeoutNanoseconds: timeoutNanoseconds, kind: Int32(kind))
        self.queues[kind].append(future.id)
        self.queuedCount += 1
        return self.dispatch()
    }

    /// Puts `job` of `kind` back at the front of its queue.
    private mutating func requeue(_ job: JobID, kind: Int) {
        self.queues[kind].prepend(job)
        self.queuedCount += 1
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
        self.requeue(job, kind: Int(entry.kind))
        return self.dispatch()
    }

    /// `worker` takes no more jobs: it was taken out of the run, and finishes the jobs it holds. It no longer
    /// counts as running its kinds.
    mutating func retire(_ worker: WorkerID) {
        guard var state = self.workers[worker], !state.retired else { return }
        state.retired = true
        state.credit.ceiling = 0
        for (index, number) in state.kinds.enumerated() where number != nil {
            self.runners[index] -= 1
        }
        self.workers[worker] = state
    }

    mutating func cancel(_ job: JobID) -> Cancellation {
        guard var entry = self.jobs[job], !entry.abandoned else { return .unknown }
        guard let worker = entry.worker else {
            if let index = self.queues[Int(entry.kind)].firstIndex(of: job) {
                self.queues[Int(entry.kind)].remove(at: index)
                self.queuedCount -= 1
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
    /// have had every attempt or no worker left runs their kind (unless it is in `expectedKinds`: a worker
    /// that runs it is reconnecting).
    ///
    /// - Parameter crashed: whether the connection broke (the worker died), rather than went silent; a job
    ///   running there then counts as having taken the worker down.
    mutating func removeWorker(_ id: WorkerID, error: String, crashed: Bool, expectedKinds: Set<JobKindName> = []) -> Loss {
        guard let lost = self.workers.removeValue(forKey: id) else { return Loss() }
        for (index, number) in lost.kinds.enumerated() where number != nil && !lost.retired {
            self.runners[index] -= 1
        }
        var loss = Loss()
        for job in lost.held.sorted(by: >) {
            guard let entry = self.jobs[job] else { continue }
            if entry.abandoned {
                self.forget(job)
                continue
            }
            // With attempts left but no worker left, or coming back, that runs its kind, it is stranded now rather
            // than counted as retried and queued only to be stranded.
            let runnable = self.runners[Int(entry.kind)] > 0 || expectedKinds.contains(entry.future.kind)
            if !runnable, Int(entry.attempt) < self.maximumAttempts {
                self.forget(job)
                loss.stranded.append((entry.future, self.error(entry, worker: lost.name, reason: self.unrunnable(entry.future.kind, expectedKinds))))
                continue
            }
            if let failure = self.retry(job, entry, after: lost.name, tookItDown: crashed && entry.started, lastError: error) {
                loss.exhausted.append((entry.future, failure))
            } else {
                loss.requeued.append(entry.future)
            }
        }
        loss.stranded += self.strandUnrunnable(expectedKinds: expectedKinds)
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
        self.requeue(job, kind: Int(entry.kind))
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
        for kind in self.queues.indices {
            for job in self.queues[kind] {
                guard let entry = self.jobs[job] else { continue }
                self.forget(job)
                abandoned.append(entry.future)
            }
            self.queues[kind].removeAll()
        }
        self.queuedCount = 0
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

    /// Every queued job whose kind no connected worker runs, and none in `expectedKinds`, fails: with
    /// ``JobError/Reason/noWorkers`` when no worker is left, else ``JobError/Reason/kindNotRun(_:workers:)``.
    mutating func strandUnrunnable(expectedKinds: Set<JobKindName>) -> [(AnyJobFuture, JobError)] {
        var stranded: [(AnyJobFuture, JobError)] = []
        for (index, kind) in self.kinds.enumerated()
        where !self.queues[index].isEmpty && self.runners[index] == 0 && !expectedKinds.contains(kind) {
            let reason = self.unrunnable(kind, expectedKinds)
            for job in self.queues[index] {
                guard let entry = self.jobs[job] else { continue }
                self.forget(job)
                stranded.append((entry.future, self.error(entry, worker: entry.future.worker, reason: reason)))
            }
            self.queuedCount -= self.queues[index].count
            self.queues[index].removeAll()
        }
        return stranded
    }

    /// Why a job of `kind`, which no connected worker runs, cannot run: no worker is left, or none runs it.
    private func unrunnable(_ kind: JobKindName, _ expectedKinds: Set<JobKindName>) -> JobError.Reason {
        !self.hasWorkers && expectedKinds.isEmpty ? .noWorkers : .kindNotRun(kind, workers: self.kindsByWorker)
    }

    private func error(_ entry: Entry, worker: String?, reason: JobError.Reason) -> JobError {
        JobError(job: entry.future.id, kind: entry.future.kind, worker: worker, attempts: Int(entry.attempt), reason: reason)
    }

    /// Gives queued jobs to workers while any worker with room runs a queued job's kind: the oldest such job
    /// first, to the roomiest worker that runs its kind.
    private mutating func dispatch() -> [Assignment] {
        var assignments: [Assignment] = []
        guard self.queuedCount > 0 else { return assignments }
        while true {
            var next: (kind: Int, job: JobID, worker: WorkerID, id: JobKindID)?
            for kind in self.queues.indices {
                guard let head = self.queues[kind].first else { continue }
                if let next, next.job < head { continue }
                guard let (worker, id) = self.roomiest(running: kind) else { continue }
                next = (kind, head, worker, id)
            }
            guard let (kind, job, worker, id) = next else { break }
            self.queues[kind].removeFirst()
            self.queuedCount -= 1
            guard var entry = self.jobs[job] else { continue }
            entry.attempt += 1
            entry.worker = worker
            entry.started = false
            self.jobs[job] = entry
            self.workers[worker]?.held.insert(job)
            assignments.append(
                Assignment(
                    worker: worker,
                    submit: Submit(
                        jobID: job,
                        attempt: entry.attempt,
                        kind: id,
                        timeoutNanoseconds: entry.timeoutNanoseconds,
                        payload: entry.future.input.buffer
                    ),
                    future: entry.future
                )
            )
        }
        return assignments
    }

    /// The worker with the most room that runs `kind`, the lowest id among equals, and the kind's number there.
    private func roomiest(running kind: Int) -> (WorkerID, JobKindID)? {
        var roomiest: (worker: WorkerID, free: Int, id: JobKindID)?
        for (worker, state) in self.workers where state.free > 0 {
            if let best = roomiest, best.free > state.free || (best.free == state.free && best.worker < worker) { continue }
            guard kind < state.kinds.count, let id = state.kinds[kind] else { continue }
            roomiest = (worker, state.free, id)
        }
        return roomiest.map { ($0.worker, $0.id) }
    }
}
