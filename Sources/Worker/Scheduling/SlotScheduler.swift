import FanoutProtocol
import NIOCore

/// Which job runs in which slot: a bounded FIFO queue in front of a fixed set of slots.
///
/// A pure state machine: every call returns what to do, and the caller does it.
struct SlotScheduler {
    enum SubmitAction {
        /// Run `job` in `slot` now.
        case start(QueuedJob, slot: Int)
        /// Every slot is busy; the job waits its turn.
        case queued
        /// Every slot is busy and the queue holds `capacity` jobs already.
        case queueFull(capacity: Int)
    }

    let slotCount: Int
    let queueCapacity: Int
    private var queue = CircularBuffer<QueuedJob>()
    /// Free slots, lowest on top, so an idle worker reuses slot 0.
    private var freeSlots: [Int]
    private var running: [Int: QueuedJob] = [:]

    init(slotCount: Int, queueCapacity: Int) {
        precondition(slotCount >= 1, "a worker has at least one slot")
        precondition(queueCapacity >= 0, "queue capacity cannot be negative")
        self.slotCount = slotCount
        self.queueCapacity = queueCapacity
        self.freeSlots = Array((0..<slotCount).reversed())
    }

    var queuedCount: Int { self.queue.count }
    var runningCount: Int { self.running.count }

    mutating func submit(_ job: QueuedJob) -> SubmitAction {
        if let slot = self.freeSlots.popLast() {
            self.running[slot] = job
            return .start(job, slot: slot)
        }
        guard self.queue.count < self.queueCapacity else {
            return .queueFull(capacity: self.queueCapacity)
        }
        self.queue.append(job)
        return .queued
    }

    /// The job in `slot` is done; returns the next job to start there, if one waits.
    mutating func finish(slot: Int) -> QueuedJob? {
        precondition(self.running[slot] != nil, "slot \(slot) finished but was not running")
        guard let next = self.queue.popFirst() else {
            self.running[slot] = nil
            self.freeSlots.append(slot)
            self.freeSlots.sort(by: >)
            return nil
        }
        self.running[slot] = next
        return next
    }

    /// Removes `jobID` of `session` from the queue; nil when it is not queued (running, done or unknown).
    mutating func cancel(_ jobID: JobID, of session: SessionID) -> QueuedJob? {
        guard let index = self.queue.firstIndex(where: { $0.jobID == jobID && $0.session == session }) else {
            return nil
        }
        return self.queue.remove(at: index)
    }

    /// The slot running `jobID` of `session`; nil when it is not running.
    func slot(running jobID: JobID, of session: SessionID) -> Int? {
        self.running.first { $0.value.jobID == jobID && $0.value.session == session }?.key
    }

    /// The jobs of `session` running now, by slot.
    func running(of session: SessionID) -> [(slot: Int, job: JobID)] {
        self.running.compactMap { $0.value.session == session ? ($0.key, $0.value.jobID) : nil }
    }

    /// Removes every queued job of `session`, as when its connection is gone.
    mutating func removeQueued(of session: SessionID) -> [QueuedJob] {
        var removed: [QueuedJob] = []
        var kept = CircularBuffer<QueuedJob>(initialCapacity: self.queue.count)
        for job in self.queue {
            if job.session == session { removed.append(job) } else { kept.append(job) }
        }
        self.queue = kept
        return removed
    }
}
