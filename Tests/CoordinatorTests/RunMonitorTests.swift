@testable import FanoutCoordinator
import FanoutBuiltinJobs
@testable import FanoutDashboard
import FanoutProtocol
import Testing

@Suite("Run monitor")
struct RunMonitorTests {
    static let first = WorkerAddress(host: .ipv4([10, 0, 0, 1]), port: 7420)
    static let second = WorkerAddress(host: .ipv4([10, 0, 0, 2]), port: 7420)

    static func connected(_ address: WorkerAddress, slots: UInt16) -> ConnectedWorker {
        ConnectedWorker(
            address: address,
            hostName: "host-\(address.port)",
            softwareVersion: "test",
            protocolVersion: .current,
            capabilities: WorkerCapabilities(poolKind: .threads, slots: slots, cores: 2, kinds: []),
            capacity: Int(slots)
        )
    }

    @Test("progress per kind counts each outcome against the jobs submitted; each worker's panel, its tally")
    func progress() {
        let monitor = RunMonitor()
        for id in UInt64(1)...6 { monitor.jobSubmitted(AnyJobFuture.make(id: JobID(id), kind: Fibonacci.kind)) }
        for id in UInt64(7)...8 { monitor.jobSubmitted(AnyJobFuture.make(id: JobID(id), kind: Sleep.kind)) }
        monitor.jobDone(TimelineTests.record(1, worker: "\(Self.first)", slot: 0, start: 0, run: 1))
        monitor.jobDone(TimelineTests.record(2, worker: "\(Self.first)", slot: 1, start: 0, run: 1))
        monitor.jobDone(TimelineTests.record(3, worker: "\(Self.second)", slot: 0, start: 0, run: 1, state: .failed))
        monitor.jobDone(TimelineTests.record(4, worker: nil, slot: nil, start: nil, run: 0, state: .cancelled))

        let status = ClusterStatus(
            workers: [
                WorkerStatus(
                    address: Self.first, connection: .ready, worker: Self.connected(Self.first, slots: 2), jobsHeld: 3, jobsRunning: 2,
                    roundTrip: .microseconds(1500), clockOffset: .microseconds(-250)
                ),
                WorkerStatus(address: Self.second, connection: .reconnecting),
            ],
            jobsQueued: 1
        )
        var cursor = RunMonitor.Cursor()
        let update = monitor.update(since: &cursor, status: status)
        #expect(update.ended == false)
        #expect(update.kinds.map(\.kind) == ["fibonacci", "sleep"], "in the order first submitted")
        let fibonacci = update.kinds[0]
        #expect(
            [fibonacci.submitted, fibonacci.finished, fibonacci.failed, fibonacci.cancelled] == [6, 2, 1, 1]
        )
        #expect(update.totals == DashboardUpdate.Totals(submitted: 8, finished: 2, failed: 1, cancelled: 1, queued: 1, running: 2))

        #expect(update.workers.map(\.address) == ["\(Self.first)", "\(Self.second)"])
        let panel = update.workers[0]
        #expect(panel.state == "ready" && panel.pool == "threads" && panel.slots == 2 && panel.hostName == "host-7420")
        #expect(panel.busy == 2 && panel.held == 3 && panel.finished == 2 && panel.failed == 0)
        #expect(panel.roundTripMilliseconds == 1.5 && panel.clockOffsetMilliseconds == -0.25)
        #expect(update.workers[1].state == "reconnecting" && update.workers[1].failed == 1 && update.workers[1].slots == nil)

        #expect(update.bars.count == 3, "the cancelled job ran on no slot")
        #expect(update.bars.map(\.sequence) == [0, 1, 2])
        #expect(update.bars[2].state == "failed")
        #expect(update.bars[1].end - update.bars[1].start == 1000, "milliseconds")
        #expect(update.failures.count == 1 && update.failures[0].what == "fibonacci 20")
        #expect(update.failures[0].reason.hasPrefix("boom"))
    }

    @Test("a worker the cluster no longer lists stays on the page, closed, with its tally")
    func workerLeft() {
        let monitor = RunMonitor()
        monitor.jobDone(TimelineTests.record(1, worker: "\(Self.first)", slot: 0, start: 0, run: 1))
        var cursor = RunMonitor.Cursor()
        let listed = ClusterStatus(workers: [WorkerStatus(address: Self.first, connection: .ready, worker: Self.connected(Self.first, slots: 4), jobsRunning: 1)])
        _ = monitor.update(since: &cursor, status: listed)
        monitor.jobDone(TimelineTests.record(2, worker: "\(Self.first)", slot: 0, start: 1, run: 1))
        monitor.clusterStopped(ReliabilityCounts())
        let after = monitor.update(since: &cursor, status: ClusterStatus())
        #expect(after.ended)
        #expect(after.workers.count == 1)
        #expect(after.workers[0].state == "closed" && after.workers[0].busy == 0)
        #expect(after.workers[0].finished == 2 && after.workers[0].slots == 4)
    }

    @Test("history is bounded: a new page gets the newest bars kept, then at most an update's worth, then only what is new")
    func bounded() {
        let monitor = RunMonitor()
        let total = RunMonitor.barCapacity * 3
        for id in 1...total {
            monitor.jobDone(TimelineTests.record(UInt64(id), worker: "\(Self.first)", slot: id % 4, start: Double(id) / 1000, run: 0.001))
        }
        var cursor = RunMonitor.Cursor()
        let first = monitor.update(since: &cursor, status: nil)
        #expect(first.bars.count == RunMonitor.barCapacity)
        #expect(first.bars.last?.sequence == UInt64(total - 1), "the newest")
        #expect(first.barsSkipped == UInt64(total - RunMonitor.barCapacity))
        #expect(monitor.update(since: &cursor, status: nil).bars.isEmpty)
        for id in 1...3 {
            monitor.jobDone(TimelineTests.record(UInt64(total + id), worker: "\(Self.first)", slot: 0, start: 0, run: 0.001))
        }
        let next = monitor.update(since: &cursor, status: nil)
        #expect(next.bars.map(\.sequence) == (total..<(total + 3)).map(UInt64.init))
        #expect(next.barsSkipped == 0)
        for id in 1...(RunMonitor.barsPerUpdate * 2) {
            monitor.jobDone(TimelineTests.record(UInt64(2 * total + id), worker: "\(Self.first)", slot: 0, start: 0, run: 0.001))
        }
        let behind = monitor.update(since: &cursor, status: nil)
        #expect(behind.bars.count == RunMonitor.barsPerUpdate && behind.barsSkipped == UInt64(RunMonitor.barsPerUpdate))

        for id in 1...(RunMonitor.failureCapacity + 30) {
            monitor.jobDone(TimelineTests.record(UInt64(10 * total + id), worker: nil, slot: nil, start: nil, run: 0, state: .failed))
        }
        let failures = monitor.update(since: &cursor, status: nil).failures
        #expect(failures.count == RunMonitor.failureCapacity)
    }

    @Test("once the cluster has stopped, the page's clock stops with it")
    func clockStops() {
        let monitor = RunMonitor()
        monitor.jobDone(TimelineTests.record(1, worker: "\(Self.first)", slot: 0, start: 0, run: 1))
        monitor.clusterStopped(ReliabilityCounts())
        var cursor = RunMonitor.Cursor()
        let first = monitor.update(since: &cursor, status: nil)
        let second = monitor.update(since: &cursor, status: nil)
        #expect(first.ended && first.now == second.now)
    }

    @Test("a long input or reason reaches the page cut short, with an ellipsis")
    func clipped() {
        let long = String(repeating: "é", count: 1000)
        #expect(RunMonitor.clipped(long, to: 120).count == 120)
        #expect(RunMonitor.clipped(long, to: 120).hasSuffix("…"))
        #expect(RunMonitor.clipped("short", to: 120) == "short")
        let monitor = RunMonitor()
        var record = TimelineTests.record(1, worker: "10.0.0.1:7420", slot: 0, start: 0, run: 1, state: .failed)
        record.input = long
        record.error = long
        monitor.jobDone(record)
        var cursor = RunMonitor.Cursor()
        let update = monitor.update(since: &cursor, status: nil)
        #expect(update.bars[0].input.count == RunMonitor.inputLength)
        #expect(update.failures[0].reason.count == RunMonitor.reasonLength)
    }
}
