@testable import FanoutCoordinator
import FanoutBuiltinJobs
import FanoutProtocol
import NIOCore
import FanoutTestSupport
import Foundation
import Testing

@Suite("Timeline")
struct TimelineTests {
    static let second: UInt64 = 1_000_000_000
    static let origin: UInt64 = 1_800_000_000 * second

    /// A record of job `id` that a slot ran from `start` to `start + run` seconds after ``origin``.
    static func record(
        _ id: UInt64, worker: String?, slot: Int?, start: Double?, run: Double, state: JobState = .finished, attempts: Int = 1
    ) -> JobRecord {
        var record = JobRecord(AnyJobFuture.make(id: JobID(id), kind: Fibonacci.kind), input: "20")
        record.worker = worker
        record.slot = slot
        record.attempts = attempts
        record.state = state
        record.times.submitted = Self.origin
        let started = start.map { Self.origin + UInt64($0 * 1e9) }
        record.times.ended = (started ?? Self.origin) + UInt64(run * 1e9) + 1_000_000
        if state == .failed { record.error = "boom \u{01}\u{0}\u{FFFF} <&> \"'" }
        if let slot {
            record.timing = JobTiming(queued: .zero, ran: .nanoseconds(Int64(run * 1e9)), slot: slot, started: started)
        }
        return record
    }

    @Test("one bar per job on the row of its worker and slot, placed by time; failed, retried and unrun jobs marked")
    func fixedRecords() throws {
        let timeline = Timeline()
        let records = [
            Self.record(1, worker: "10.0.0.1:7420", slot: 0, start: 0, run: 1),
            Self.record(2, worker: "10.0.0.1:7420", slot: 1, start: 0.5, run: 2),
            Self.record(3, worker: "10.0.0.2:7420", slot: 0, start: 1, run: 1, state: .failed),
            Self.record(4, worker: "10.0.0.1:7420", slot: 0, start: 1.5, run: 0.5, attempts: 2),
            Self.record(5, worker: nil, slot: nil, start: nil, run: 0, state: .cancelled),
        ]
        records.forEach(timeline.jobDone)
        let svg = try SVGElements(timeline.svg(title: "fixed <run> & co"))

        let bars = svg.named("rect", classes: ["job"])
        #expect(bars.count == records.count)
        let byJob = Dictionary(uniqueKeysWithValues: bars.map { (SVGElements.attribute($0, "data-job").flatMap(UInt64.init) ?? 0, $0) })
        #expect(Set(byJob.keys) == [1, 2, 3, 4, 5])
        #expect(svg.named("rect", classes: ["job", "failed"]).count == 1)
        #expect(SVGElements.classes(of: byJob[3]!).contains("failed"))
        #expect(svg.named("rect", classes: ["job", "retried"]).map { SVGElements.attribute($0, "data-job") } == ["4"])
        #expect(svg.named("rect", classes: ["job", "not-run"]).map { SVGElements.attribute($0, "data-job") } == ["5"])

        // Rows: three slots, then "not run".
        let labels = svg.named("text", classes: ["label"]).map(\.text)
        for row in ["10.0.0.1:7420 slot 0", "10.0.0.1:7420 slot 1", "10.0.0.2:7420 slot 0", "not run"] {
            #expect(labels.contains(row), "\(labels)")
        }
        func y(_ job: UInt64) -> Double? { SVGElements.number(byJob[job]!, "y") }
        func x(_ job: UInt64) -> Double? { SVGElements.number(byJob[job]!, "x") }
        func width(_ job: UInt64) -> Double? { SVGElements.number(byJob[job]!, "width") }
        #expect(y(1) == y(4), "jobs 1 and 4 ran on the same slot")
        #expect(y(1) != y(2) && y(2) != y(3) && y(3) != y(5))
        // Job 2 starts half way through job 1 and runs twice as long; job 4 starts where job 1 ends plus half.
        let unit = try #require(width(1))
        #expect(try abs(#require(x(2)) - #require(x(1)) - unit / 2) < 0.02)
        #expect(try abs(#require(width(2)) - 2 * unit) < 0.02)
        #expect(try abs(#require(x(4)) - #require(x(1)) - 1.5 * unit) < 0.02)
        #expect(SVGElements.title(of: byJob[3]!)?.contains("boom") == true)
        #expect(svg.all.first { $0.name == "title" }?.text == "fixed <run> & co")
    }

    @Test("a start time at the end of the clock from a wrong worker saturates instead of trapping, and still charts")
    func hostileStartTime() throws {
        let timing = JobTiming(queued: .zero, ran: .seconds(1), slot: 0, started: .max - 5)
        #expect(timing.ended == .max)
        var record = Self.record(1, worker: "10.0.0.9:7420", slot: 0, start: 0, run: 1)
        record.timing = timing
        let svg = try SVGElements(Timeline.svg([record, Self.record(2, worker: "10.0.0.1:7420", slot: 0, start: 0, run: 1)], title: "x"))
        #expect(svg.named("rect", classes: ["job"]).count == 2)
    }

    @Test("a run's timeline has one bar per job, each on a slot of the worker that ran it")
    func realRun() async throws {
        let timeline = Timeline()
        let records = Recorder()
        let configuration = ClusterConfiguration(prefetch: 0, observers: [timeline, records])
        let workers = try await LocalCluster.with(workers: 2, size: 2, configuration: configuration) { cluster, local in
            let jobs = try (0..<8).map { try cluster.submit(Fibonacci(UInt32(18 + $0))).erased }
                + [try cluster.submit(FlagDownload(country: "X", url: "ftp://x/y.svg")).erased]
            _ = await cluster.wait(jobs)
            return local.addresses.map(\.description)
        }
        let svg = try SVGElements(timeline.svg())
        let bars = svg.named("rect", classes: ["job"])
        #expect(bars.count == 9)
        #expect(svg.named("rect", classes: ["job", "failed"]).count == 1)
        let rows = Set(svg.named("text", classes: ["label"]).map(\.text).filter { $0.contains(" slot ") })
        for record in records.records {
            let worker = try #require(record.worker)
            #expect(workers.contains(worker))
            #expect(rows.contains("\(worker) slot \(try #require(record.slot))"))
        }
    }

    @Test("a worker whose clock runs 90 s ahead: the offset is estimated and its jobs land where the coordinator saw them")
    func offsetWorkerClock() async throws {
        let records = Recorder()
        let ahead: Int64 = 90 * 1_000_000_000
        let offsets = try await LocalCluster.with(
            workers: 1,
            size: 2,
            configuration: ClusterConfiguration(observers: [records]),
            workerArguments: ["--clock-skew-ms", "90000"]
        ) { cluster, _ in
            let jobs = try (0..<6).map { _ in try cluster.submit(Sleep(.milliseconds(50))).erased }
            _ = await cluster.wait(jobs)
            return await cluster.ping().compactMap { ping in ping.clockOffset.flatMap { offset in ping.clockOffsetBound.map { (offset, $0) } } }
        }
        let (offset, bound) = try #require(offsets.first)
        #expect(abs(offset.wireNanosecondsSigned - ahead) <= bound.wireNanosecondsSigned + 2_000_000, "estimated \(offset) ± \(bound)")
        #expect(records.records.count == 6)
        // Each job was mapped with the estimate of its time, off by at most half the round trip of the exchange
        // behind it: microseconds on an idle machine, hundreds of milliseconds with the rest of the suite loading
        // both cores. A second allows for that and is still far below the 90 s the mapping corrects.
        let slack: UInt64 = 1_000_000_000
        for record in records.records {
            let started = try #require(record.timing?.started)
            let ended = try #require(record.timing?.ended)
            let sent = try #require(record.times.sent)
            let resolved = try #require(record.times.ended)
            #expect(started + slack >= sent, "started \(started) before it was sent \(sent)")
            #expect(ended <= resolved + slack, "ended \(ended) after its result arrived \(resolved)")
        }
    }
}

extension Duration {
    fileprivate var wireNanosecondsSigned: Int64 {
        self.components.seconds * 1_000_000_000 + self.components.attoseconds / 1_000_000_000
    }
}
