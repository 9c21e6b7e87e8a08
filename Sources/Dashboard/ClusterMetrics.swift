import CoreMetrics
import FanoutCoordinator
import FanoutLocking
import FanoutProtocol

/// A run's metrics through swift-metrics: jobs submitted and finished by kind, their durations, and, at each
/// ``refresh(status:reliability:)``, the queue, each worker's slots and heartbeat, and retries.
///
/// Names follow Prometheus's conventions (`fanout_jobs_finished_total`, `fanout_job_duration_seconds`).
public final class ClusterMetrics: JobObserver {
    /// Upper bounds of `fanout_job_duration_seconds`' buckets.
    public static let durationBuckets: [Duration] = [
        .microseconds(100), .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100),
        .milliseconds(500), .seconds(1), .seconds(5), .seconds(30), .seconds(120),
    ]

    private let factory: any MetricsFactory
    private let pending: Gauge
    private let running: Gauge
    private let retries: Counter
    private let state = Locked(State())

    private struct State {
        var submitted: [JobKindName: Counter] = [:]
        var finished: [Outcome: Counter] = [:]
        var durations: [JobKindName: Timer] = [:]
        var reconnects: [String: Counter] = [:]
        /// Retries already counted.
        var retriesCounted = 0
        /// Every worker whose gauges were set, so that one the cluster no longer lists is set to none.
        var workersShown: Set<String> = []
    }

    private struct Outcome: Hashable {
        var kind: JobKindName
        var state: JobState
    }

    public init(factory: any MetricsFactory) {
        self.factory = factory
        self.pending = Gauge(label: "fanout_jobs_pending", factory: factory)
        self.running = Gauge(label: "fanout_jobs_running", factory: factory)
        self.retries = Counter(label: "fanout_job_retries_total", factory: factory)
    }

    public func jobSubmitted(_ job: AnyJobFuture) {
        self.jobsSubmitted([job])
    }

    public func jobsSubmitted(_ jobs: ArraySlice<AnyJobFuture>) {
        var counts: [JobKindName: Int] = [:]
        for job in jobs { counts[job.kind, default: 0] += 1 }
        for (kind, count) in counts { self.submittedCounter(kind).increment(by: count) }
    }

    public func jobDone(_ record: JobRecord) {
        self.jobsDone([record])
    }

    public func jobsDone(_ records: ArraySlice<JobRecord>) {
        var counts: [Outcome: Int] = [:]
        var durations: (kind: JobKindName, timer: Timer)?
        for record in records {
            counts[Outcome(kind: record.kind, state: record.state), default: 0] += 1
            guard let timing = record.timing, timing.started != nil else { continue }
            if durations?.kind != record.kind { durations = (record.kind, self.durationTimer(record.kind)) }
            let (seconds, attoseconds) = timing.ran.components
            durations?.timer.recordNanoseconds(Int64(clamping: seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
        }
        for (outcome, count) in counts { self.finishedCounter(outcome).increment(by: count) }
    }

    private func submittedCounter(_ kind: JobKindName) -> Counter {
        self.handle(\.submitted, kind) {
            Counter(label: "fanout_jobs_submitted_total", dimensions: [("kind", kind.name)], factory: self.factory)
        }
    }

    private func finishedCounter(_ outcome: Outcome) -> Counter {
        self.handle(\.finished, outcome) {
            Counter(
                label: "fanout_jobs_finished_total",
                dimensions: [("kind", outcome.kind.name), ("outcome", "\(outcome.state)")],
                factory: self.factory
            )
        }
    }

    private func durationTimer(_ kind: JobKindName) -> Timer {
        self.handle(\.durations, kind) {
            Timer(label: "fanout_job_duration_seconds", dimensions: [("kind", kind.name)], factory: self.factory)
        }
    }

    /// The metric `table` holds for `key`, made and kept the first time.
    private func handle<Key: Hashable, Handle: Sendable>(_ table: WritableKeyPath<State, [Key: Handle]>, _ key: Key, make: () -> Handle) -> Handle {
        self.state.withLock { state in
            if let known = state[keyPath: table][key] { return known }
            let made = make()
            state[keyPath: table][key] = made
            return made
        }
    }

    public func workerConnected(_ worker: ConnectedWorker, again: Bool) {
        let name = worker.address.description
        let counter = self.reconnectCounter(name)
        if again { counter.increment() }
    }

    private func setSlots(of worker: String, busy: Int, idle: Int) {
        Gauge(label: "fanout_worker_slots", dimensions: [("worker", worker), ("state", "busy")], factory: self.factory).record(busy)
        Gauge(label: "fanout_worker_slots", dimensions: [("worker", worker), ("state", "idle")], factory: self.factory).record(idle)
    }

    private func reconnectCounter(_ worker: String) -> Counter {
        self.handle(\.reconnects, worker) {
            Counter(label: "fanout_worker_reconnects_total", dimensions: [("worker", worker)], factory: self.factory)
        }
    }

    /// Sets the gauges that describe the cluster now: jobs pending and running, each worker's slots busy and
    /// idle and its heartbeat's round trip; adds the retries made since the last refresh.
    public func refresh(status: ClusterStatus, reliability: ReliabilityCounts) {
        self.pending.record(status.jobsQueued + status.jobsHeld - status.jobsRunning)
        self.running.record(status.jobsRunning)
        for worker in status.workers {
            let name = worker.address.description
            let slots = worker.worker.map { Int($0.capabilities.slots) } ?? 0
            self.setSlots(of: name, busy: worker.jobsRunning, idle: max(0, slots - worker.jobsRunning))
            if let roundTrip = worker.roundTrip {
                let (seconds, attoseconds) = roundTrip.components
                Gauge(label: "fanout_worker_rtt_seconds", dimensions: [("worker", name)], factory: self.factory)
                    .record(Double(seconds) + Double(attoseconds) / 1e18)
            }
            _ = self.reconnectCounter(name)
        }
        let listed = Set(status.workers.map(\.address.description))
        let gone = self.state.withLock { state in
            defer { state.workersShown = listed }
            return state.workersShown.subtracting(listed)
        }
        for name in gone { self.setSlots(of: name, busy: 0, idle: 0) }
        let added = self.state.withLock { state in
            defer { state.retriesCounted = max(state.retriesCounted, reliability.jobsRetried) }
            return max(0, reliability.jobsRetried - state.retriesCounted)
        }
        if added > 0 { self.retries.increment(by: added) }
    }
}
