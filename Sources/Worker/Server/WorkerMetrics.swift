import CoreMetrics
import FanoutJobs
import FanoutProtocol

/// A worker's metrics through swift-metrics: jobs answered by kind and outcome, jobs turned away and, at each
/// ``refresh(_:)``, its slots, queue and sessions.
public final class WorkerMetrics: Sendable {
    /// The outcomes counted, as their label reads.
    static let outcomes = ["finished", "failed", "cancelled"]

    /// By kind's number on the wire, then outcome's place in ``outcomes``; made up front, so that counting
    /// takes no lock.
    private let answered: [[Counter]]
    private let refusedForFullQueue: Counter
    private let refusedForShutdown: Counter
    private let slots: Gauge
    private let busy: Gauge
    private let queued: Gauge
    private let sessions: Gauge

    public init(kinds: JobKinds, factory: any MetricsFactory) {
        self.answered = kinds.names.map { kind in
            Self.outcomes.map { outcome in
                Counter(label: "fanout_worker_jobs_total", dimensions: [("kind", kind.name), ("outcome", outcome)], factory: factory)
            }
        }
        self.refusedForFullQueue = Counter(label: "fanout_worker_jobs_refused_total", dimensions: [("reason", "queue_full")], factory: factory)
        self.refusedForShutdown = Counter(label: "fanout_worker_jobs_refused_total", dimensions: [("reason", "shutting_down")], factory: factory)
        // Not `fanout_worker_slots`: the coordinator's metric of that name has a series per worker.
        self.slots = Gauge(label: "fanout_worker_pool_slots", factory: factory)
        self.busy = Gauge(label: "fanout_worker_pool_slots_busy", factory: factory)
        self.queued = Gauge(label: "fanout_worker_queue_depth", factory: factory)
        self.sessions = Gauge(label: "fanout_worker_sessions", factory: factory)
    }

    /// Counts a job of `kind` answered with `outcome`.
    func answered(_ kind: JobKindID, _ outcome: JobOutcome) {
        let index: Int
        switch outcome {
        case .ok: index = 0
        case .failed: index = 1
        case .cancelled: index = 2
        }
        let kind = Int(kind.rawValue)
        guard self.answered.indices.contains(kind) else { return }
        self.answered[kind][index].increment()
    }

    /// Why a job was turned away without running; the coordinator sends it elsewhere.
    enum Refusal {
        case queueFull
        case shuttingDown
    }

    /// Counts a job turned away.
    func refused(because reason: Refusal) {
        switch reason {
        case .queueFull: self.refusedForFullQueue.increment()
        case .shuttingDown: self.refusedForShutdown.increment()
        }
    }

    /// Sets the gauges to `load`.
    public func refresh(_ load: WorkerLoad) {
        self.slots.record(load.slots)
        self.busy.record(load.busySlots)
        self.queued.record(load.queuedJobs)
        self.sessions.record(load.sessions)
    }
}

/// What a worker is doing now.
public struct WorkerLoad: Hashable, Sendable {
    public var slots: Int
    public var busySlots: Int
    /// Jobs waiting for a slot, over all sessions.
    public var queuedJobs: Int
    /// Coordinators connected.
    public var sessions: Int
}
