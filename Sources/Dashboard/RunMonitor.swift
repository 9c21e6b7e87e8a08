import FanoutCoordinator
import FanoutLocking
import FanoutProtocol
import NIOCore

/// A run as the dashboard shows it, kept as it goes: progress per kind, each worker's tally, the latest job
/// bars and failures.
///
/// Its memory is bounded whatever the run's length: counts per kind and per worker, and the newest
/// ``barCapacity`` bars and ``failureCapacity`` failures.
public final class RunMonitor: JobObserver {
    /// Bars kept, for a page that connects mid-run: its first update carries them all.
    public static let barCapacity = 5_000
    /// Bars any later update carries at most: a page behind by more gets the newest.
    public static let barsPerUpdate = 500
    /// Failures kept, and sent, newest first.
    public static let failureCapacity = 20
    /// Seconds over which a kind's rate is taken.
    static let rateWindow = 10
    /// Characters of a job's input, and of a failure's reason, the page is sent at most: a command line or an
    /// error can be long, and an update carries hundreds.
    static let inputLength = 120
    static let reasonLength = 400

    /// Where one page is in the stream of bars.
    public struct Cursor: Sendable {
        var nextBar: UInt64 = 0
        /// Whether this page has had its first update.
        var started = false
        public init() {}
    }

    private struct KindTally {
        var submitted = 0
        var finished = 0
        var failed = 0
        var cancelled = 0
        /// Jobs ended in each of the last seconds, by second since the epoch, oldest first.
        var recent: [(second: UInt64, count: Int)] = []

        mutating func ended(at second: UInt64) {
            if let last = self.recent.last, last.second >= second {
                self.recent[self.recent.count - 1].count += 1
            } else {
                self.recent.append((second, 1))
                if self.recent.count > RunMonitor.rateWindow + 1 { self.recent.removeFirst() }
            }
        }
    }

    private struct WorkerTally {
        var finished = 0
        var failed = 0
        var introduced: ConnectedWorker?
    }

    private struct State {
        var origin: UInt64?
        var kinds: [String: KindTally] = [:]
        var kindOrder: [String] = []
        var workers: [String: WorkerTally] = [:]
        var bars = CircularBuffer<DashboardUpdate.Bar>(initialCapacity: 1024)
        var nextBar: UInt64 = 0
        var failures = CircularBuffer<DashboardUpdate.Failure>(initialCapacity: 64)
        var ended = false
        /// When the cluster stopped: the page's clock stops there.
        var endedAt: UInt64?
        var reliability = ReliabilityCounts()
        /// Each worker's panel as last shown with the cluster's status, in order: shown as closed once the
        /// cluster no longer lists it.
        var lastPanels: [String: DashboardUpdate.WorkerPanel] = [:]
        var panelOrder: [String] = []

        func milliseconds(_ time: UInt64) -> Double {
            let origin = self.origin ?? time
            return time >= origin ? Double(time - origin) / 1e6 : -Double(origin - time) / 1e6
        }

        /// Changes `name`'s tally in place, adding it in order when new.
        mutating func changeKind(_ name: String, _ change: (inout KindTally) -> Void) {
            if self.kinds[name] == nil { self.kindOrder.append(name) }
            change(&self.kinds[name, default: KindTally()])
        }

        /// Each worker's panel as `status` shows it, remembered for when the cluster no longer lists it.
        mutating func panels(_ status: ClusterStatus) -> [DashboardUpdate.WorkerPanel] {
            let panels = status.workers.map { worker in
                let name = worker.address.description
                let tally = self.workers[name] ?? WorkerTally()
                let introduced = worker.worker ?? tally.introduced
                var panel = DashboardUpdate.WorkerPanel(
                    address: name,
                    hostName: introduced?.hostName,
                    pool: introduced.map { "\($0.capabilities.poolKind)" },
                    slots: introduced.map { Int($0.capabilities.slots) },
                    busy: worker.jobsRunning,
                    held: worker.jobsHeld,
                    finished: tally.finished,
                    failed: tally.failed,
                    roundTripMilliseconds: worker.roundTrip.map(RunMonitor.milliseconds),
                    clockOffsetMilliseconds: worker.clockOffset.map(RunMonitor.milliseconds),
                    state: self.ended ? "closed" : worker.connection.rawValue
                )
                if let last = self.lastPanels[name] {
                    panel.roundTripMilliseconds = panel.roundTripMilliseconds ?? last.roundTripMilliseconds
                    panel.clockOffsetMilliseconds = panel.clockOffsetMilliseconds ?? last.clockOffsetMilliseconds
                }
                return panel
            }
            for panel in panels where self.lastPanels.updateValue(panel, forKey: panel.address) == nil {
                self.panelOrder.append(panel.address)
            }
            return panels
        }

        /// Counts `record` and keeps its bar; a record with no end time ended by `now`.
        mutating func add(_ record: JobRecord, endedByThen now: UInt64) {
            let kind = record.kind.name
            let ended = record.times.ended ?? now
            if self.origin == nil { self.origin = record.times.submitted }
            self.changeKind(kind) { tally in
                switch record.state {
                case .finished: tally.finished += 1
                case .failed: tally.failed += 1
                case .cancelled: tally.cancelled += 1
                case .pending, .running: break
                }
                tally.ended(at: ended / 1_000_000_000)
            }
            if let worker = record.worker {
                if record.state == .finished { self.workers[worker, default: WorkerTally()].finished += 1 }
                if record.state == .failed { self.workers[worker, default: WorkerTally()].failed += 1 }
            }
            if record.state == .failed {
                self.fail(
                    DashboardUpdate.Failure(
                        at: self.milliseconds(ended),
                        what: RunMonitor.clipped("\(kind) \(record.input)", to: RunMonitor.inputLength),
                        worker: record.worker,
                        reason: RunMonitor.clipped(record.error ?? "failed", to: RunMonitor.reasonLength)
                    )
                )
            }
            if let run = record.slotRun {
                if self.bars.count == RunMonitor.barCapacity { self.bars.removeFirst() }
                self.bars.append(
                    DashboardUpdate.Bar(
                        sequence: self.nextBar,
                        worker: run.worker,
                        slot: run.slot,
                        kind: kind,
                        job: record.job.rawValue,
                        input: RunMonitor.clipped(record.input, to: RunMonitor.inputLength),
                        start: self.milliseconds(run.started),
                        end: self.milliseconds(run.ended),
                        state: "\(record.state)",
                        retried: record.attempts > 1
                    )
                )
                self.nextBar += 1
            }
        }

        mutating func fail(_ failure: DashboardUpdate.Failure) {
            if self.failures.count == RunMonitor.failureCapacity { self.failures.removeFirst() }
            self.failures.append(failure)
        }
    }

    private let state = Locked(State())

    public init() {}

    public func jobSubmitted(_ job: AnyJobFuture) {
        self.jobsSubmitted([job])
    }

    public func jobsSubmitted(_ jobs: ArraySlice<AnyJobFuture>) {
        self.state.withLock { state in
            for job in jobs {
                if state.origin == nil { state.origin = job.times.submitted }
                state.changeKind(job.kind.name) { $0.submitted += 1 }
            }
        }
    }

    public func jobDone(_ record: JobRecord) {
        self.jobsDone([record])
    }

    public func jobsDone(_ records: ArraySlice<JobRecord>) {
        let now = WireClock.now
        self.state.withLock { state in
            for record in records { state.add(record, endedByThen: now) }
        }
    }

    public func workerConnected(_ worker: ConnectedWorker, again: Bool) {
        self.state.withLock { $0.workers[worker.address.description, default: WorkerTally()].introduced = worker }
    }

    public func workerLost(_ address: WorkerAddress, reason: String) {
        let now = WireClock.now
        self.state.withLock { state in
            state.fail(
                DashboardUpdate.Failure(
                    at: state.milliseconds(now),
                    what: "worker \(address) lost",
                    worker: "\(address)",
                    reason: Self.clipped(reason, to: Self.reasonLength)
                )
            )
        }
    }

    public func clusterStopped(_ reliability: ReliabilityCounts) {
        self.state.withLock { state in
            state.ended = true
            state.endedAt = WireClock.now
            state.reliability = reliability
        }
    }

    /// The run now, with the bars `cursor` has not had, and `cursor` moved past them. `status` is the
    /// cluster's, while it runs; without it the workers are those seen so far, and their state as last known.
    public func update(since cursor: inout Cursor, status: ClusterStatus?, reliability: ReliabilityCounts? = nil) -> DashboardUpdate {
        let clock = WireClock.now
        return self.state.withLock { state in
            let now = state.endedAt ?? clock
            var totals = DashboardUpdate.Totals()
            let second = now / 1_000_000_000
            let elapsed = state.origin.map { now > $0 ? Double(now - $0) / 1e9 : 0 } ?? 0
            let window = max(1, min(Double(RunMonitor.rateWindow), elapsed))
            let kinds = state.kindOrder.map { name in
                let tally = state.kinds[name]!
                totals.submitted += tally.submitted
                totals.finished += tally.finished
                totals.failed += tally.failed
                totals.cancelled += tally.cancelled
                let recent = tally.recent.reduce(0) { $0 + ($1.second + UInt64(RunMonitor.rateWindow) > second ? $1.count : 0) }
                let rate = Double(recent) / window
                let left = tally.submitted - tally.finished - tally.failed - tally.cancelled
                return DashboardUpdate.KindProgress(
                    kind: name,
                    submitted: tally.submitted,
                    finished: tally.finished,
                    failed: tally.failed,
                    cancelled: tally.cancelled,
                    rate: rate,
                    secondsLeft: left > 0 && rate > 0 ? Double(left) / rate : nil
                )
            }
            let counts = reliability ?? state.reliability
            totals.retried = counts.jobsRetried
            totals.workersLost = counts.workersLost
            totals.queued = status?.jobsQueued ?? 0
            totals.running = status?.jobsRunning ?? 0
            var workers: [DashboardUpdate.WorkerPanel] = []
            if let status { workers = state.panels(status) }
            let listed = Set(workers.map(\.address))
            for name in state.panelOrder where !listed.contains(name) {
                var panel = state.lastPanels[name]!
                panel.busy = 0
                panel.held = 0
                panel.finished = state.workers[name]?.finished ?? panel.finished
                panel.failed = state.workers[name]?.failed ?? panel.failed
                panel.state = "closed"
                workers.append(panel)
            }
            for name in state.workers.keys.sorted() where state.lastPanels[name] == nil {
                let tally = state.workers[name]!
                workers.append(
                    DashboardUpdate.WorkerPanel(
                        address: name,
                        hostName: tally.introduced?.hostName,
                        pool: tally.introduced.map { "\($0.capabilities.poolKind)" },
                        slots: tally.introduced.map { Int($0.capabilities.slots) },
                        busy: 0,
                        held: 0,
                        finished: tally.finished,
                        failed: tally.failed,
                        state: state.ended ? "closed" : "connecting"
                    )
                )
            }
            let oldest = state.bars.first?.sequence ?? state.nextBar
            let carried = UInt64(cursor.started ? RunMonitor.barsPerUpdate : RunMonitor.barCapacity)
            let from = max(cursor.nextBar, oldest, state.nextBar > carried ? state.nextBar - carried : 0)
            let skipped = from - min(cursor.nextBar, from)
            let bars = Array(state.bars[state.bars.index(state.bars.startIndex, offsetBy: Int(from - oldest))...])
            cursor.nextBar = state.nextBar
            cursor.started = true
            return DashboardUpdate(
                now: state.milliseconds(now),
                ended: state.ended,
                totals: totals,
                kinds: kinds,
                workers: workers,
                bars: bars,
                barsSkipped: skipped,
                failures: state.failures.reversed()
            )
        }
    }

    /// Remembers each worker's panel as `status` shows it, so that the page still shows a worker the cluster
    /// has let go of, with its last heartbeat, when no page was open before.
    public func remember(_ status: ClusterStatus) {
        self.state.withLock { _ = $0.panels(status) }
    }

    /// `text`, cut to `length` characters with an ellipsis when longer.
    static func clipped(_ text: String, to length: Int) -> String {
        guard text.utf8.count > length, text.count > length else { return text }
        return String(text.prefix(length - 1)) + "…"
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
