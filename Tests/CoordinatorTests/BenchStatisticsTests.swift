@testable import FanoutCoordinator
import FanoutProtocol
import Foundation
import Testing

@Suite("Bench statistics")
struct BenchStatisticsTests {
    static let one = ClusterShape(workers: 1, pool: .threads, size: 1)
    static let four = ClusterShape(workers: 2, pool: .processes, size: 2)

    static func runs(_ shape: ClusterShape, walls: [Double], busy: Double, jobs: Int = 100) -> [BenchRun] {
        walls.map { BenchRun(shape: shape, wall: .milliseconds(Int64($0 * 1000)), jobs: jobs, busy: .milliseconds(Int64(busy * 1000))) }
    }

    @Test("median, min, max, rate, speedup, efficiency and overhead on fixed runs")
    func fixedRuns() {
        let reference = ShapeStatistics(shape: Self.one, runs: Self.runs(Self.one, walls: [10, 12, 11], busy: 9), referenceWall: .seconds(11), referenceSlots: 1)
        #expect(reference.medianWall == .seconds(11))
        #expect(reference.minimumWall == .seconds(10))
        #expect(reference.maximumWall == .seconds(12))
        #expect(reference.speedup == 1)
        #expect(reference.efficiency == 1)
        #expect(abs(reference.jobsPerSecond - 100.0 / 11) < 1e-9)
        // 11 s of one slot, 9 s of it running jobs: 2 s over 100 jobs.
        #expect(reference.overheadPerJob == .milliseconds(20))

        let scaled = ShapeStatistics(shape: Self.four, runs: Self.runs(Self.four, walls: [3, 3.5, 4, 5], busy: 10), referenceWall: reference.medianWall, referenceSlots: 1)
        #expect(scaled.medianWall == .milliseconds(3750), "the mean of the two middle runs")
        #expect(abs(scaled.speedup - 11 / 3.75) < 1e-9)
        #expect(abs(scaled.efficiency - 11 / 3.75 / 4) < 1e-9)
        // 3.75 s × 4 slots = 15 s of slot time, 10 s of it running jobs: 5 s over 100 jobs.
        #expect(scaled.overheadPerJob == .milliseconds(50))
    }

    @Test("overhead is never negative")
    func noNegativeOverhead() {
        let stats = ShapeStatistics(shape: Self.one, runs: Self.runs(Self.one, walls: [1], busy: 2), referenceWall: .seconds(1), referenceSlots: 1)
        #expect(stats.overheadPerJob == .zero)
    }

    static let report = BenchReport(
        workload: "primes",
        reference: "smallest shape",
        referenceSlots: 1,
        rows: [
            ShapeStatistics(shape: one, runs: runs(one, walls: [2], busy: 1.5), referenceWall: .seconds(2), referenceSlots: 1),
            ShapeStatistics(shape: four, runs: runs(four, walls: [0.5], busy: 1.6), referenceWall: .seconds(2), referenceSlots: 1),
        ]
    )

    @Test("CSV reads back with the documented columns")
    func csv() throws {
        let lines = Self.report.csv().split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        #expect(lines[0] == BenchReport.columns)
        #expect(lines.count == 3)
        let row = Dictionary(uniqueKeysWithValues: zip(lines[0], lines[2]))
        #expect(row["workers"] == "2")
        #expect(row["pool"] == "processes")
        #expect(row["slots"] == "4")
        #expect(row["speedup"] == "4.000")
        #expect(row["efficiency"] == "1.000")
        #expect(row["median_seconds"] == "0.500000")
    }

    @Test("JSON reads back with the documented fields")
    func json() throws {
        let object = try JSONSerialization.jsonObject(with: Self.report.json()) as? [String: Any]
        #expect(object?["workload"] as? String == "primes")
        #expect(object?["reference"] as? String == "smallest shape")
        #expect(object?["reference_slots"] as? Int == 1)
        let shapes = try #require(object?["shapes"] as? [[String: Any]])
        #expect(shapes.count == 2)
        #expect(Set(shapes[0].keys) == Set(BenchReport.columns))
        #expect(shapes[1]["speedup"] as? Double == 4)
        #expect(shapes[1]["pool"] as? String == "processes")
    }

    @Test("the table names the reference and has a line per shape")
    func table() {
        let lines = Self.report.table().split(separator: "\n")
        #expect(lines[0] == "primes, speedup against the smallest shape")
        #expect(lines.count == 4)
        #expect(lines[3].hasPrefix("2 × processes × 2"))
        #expect(lines[3].contains("4.00×"))
        #expect(lines[3].contains("100%"))
    }
}

@Suite("Bench sweep")
struct BenchSweepTests {
    @Test("a sweep times every shape on its own local workers and reports each")
    func sweep() async throws {
        let shapes = [
            ClusterShape(workers: 2, pool: .threads, size: 1),
            ClusterShape(workers: 1, pool: .threads, size: 1),
            ClusterShape(workers: 1, pool: .processes, size: 2),
        ]
        let lines = Transcript()
        let report = try await BenchSweep(repeats: 2, warmups: 1)
            .runLocally(.fibonacci(numbers: Array(10...25)), shapes: shapes, logger: LocalCluster.logger, progress: lines.print)
        #expect(report.rows.map(\.shape) == shapes.sorted())
        #expect(report.reference == "smallest shape (1 × threads × 1)")
        for row in report.rows {
            #expect(row.runs == 2)
            #expect(row.jobs == 16)
            #expect(row.minimumWall <= row.medianWall && row.medianWall <= row.maximumWall)
            #expect(row.jobsPerSecond > 0)
        }
        #expect(report.rows.first { $0.shape == shapes[1] }?.speedup == 1)
        #expect(lines.all.count == shapes.count * 2, "a progress line per timed run")
    }

    @Test("with the sequential baseline, its row comes first and every speedup is against it")
    func sequentialBaseline() async throws {
        let shape = ClusterShape(workers: 2, pool: .threads, size: 1)
        let report = try await BenchSweep(repeats: 2, warmups: 0, sequentialBaseline: true)
            .runLocally(.primes(numbers: Array(1_000...1_200), method: .trialDivisionToSquareRoot), shapes: [shape], logger: LocalCluster.logger)
        #expect(report.rows.map(\.shape) == [.sequential, shape])
        #expect(report.reference == "sequential run in process")
        #expect(report.referenceSlots == 1)
        let sequential = report.rows[0]
        #expect(sequential.speedup == 1 && sequential.runs == 2 && sequential.jobs == 201)
        let cluster = report.rows[1]
        #expect(abs(cluster.speedup - sequential.medianWall.seconds / cluster.medianWall.seconds) < 1e-9)
        let csv = report.csv().split(separator: "\n")
        #expect(csv[1].hasPrefix("0,sequential,1,1,2,201,"))
    }

    @Test("a hosts-file sweep takes the first N workers for each N, shaped as they said in their hellos")
    func hostsFile() async throws {
        try await LocalWorkers.with(count: 2, pool: .processes, size: 2, logLevel: .error) { local in
            let sweep = BenchSweep(repeats: 1, warmups: 0)
            let report = try await sweep.runOnHosts(
                .noop(count: 40), workers: local.addresses, tls: local.tls, counts: [2, 1], logger: LocalCluster.logger
            )
            #expect(report.rows.map(\.shape) == [ClusterShape(workers: 1, pool: .processes, size: 2), ClusterShape(workers: 2, pool: .processes, size: 2)])
            #expect(report.rows.allSatisfy { $0.jobs == 40 })
        }
    }

    @Test("workers of different sizes keep their real slot count; too many workers asked for fails before any run")
    func unevenHostsFile() async throws {
        try await LocalWorkers.with(count: 2, pool: .threads, size: 2, logLevel: .error) { local in
            // slots= in a hosts file overrides what a worker says: 3 and 2 slots, 5 between them.
            let addresses = [local.addresses[0], local.addresses[1]].enumerated().map { index, address in
                WorkerAddress(host: address.host, port: address.port, slots: index == 0 ? 3 : 2)
            }
            let sweep = BenchSweep(repeats: 1, warmups: 0)
            let report = try await sweep.runOnHosts(.noop(count: 20), workers: addresses, tls: local.tls, counts: [1, 2], logger: LocalCluster.logger)
            #expect(report.rows.map(\.shape.slots) == [3, 5])
            #expect(report.rows[1].shape.description == "2 × threads, 5 slots")
            #expect(abs(report.rows[1].efficiency - report.rows[1].speedup / (5.0 / 3.0)) < 1e-9)

            let lines = Transcript()
            let error = await #expect(throws: ClusterError.self) {
                try await sweep.runOnHosts(.noop(count: 1), workers: addresses, tls: local.tls, counts: [1, 3], logger: LocalCluster.logger, progress: lines.print)
            }
            #expect(error?.code == .noWorkers)
            #expect(error?.message.contains("asks for 3 workers, but the hosts file lists 2") == true, "\(String(describing: error))")
            #expect(lines.all.isEmpty, "nothing ran: \(lines.all)")
        }
    }
}

@Suite("Speedup plot")
struct SpeedupPlotTests {
    static func row(_ workers: Int, _ pool: PoolKind, size: Int = 1, wall: Double) -> ShapeStatistics {
        let shape = ClusterShape(workers: workers, pool: pool, size: size)
        return ShapeStatistics(shape: shape, runs: BenchStatisticsTests.runs(shape, walls: [wall], busy: 1), referenceWall: .seconds(4), referenceSlots: 1)
    }

    @Test("one point per shape and series, an ideal line, labelled axes; the sequential row is the reference, not a point")
    func points() throws {
        let sequential = ShapeStatistics(
            shape: .sequential, runs: BenchStatisticsTests.runs(.sequential, walls: [4], busy: 4), referenceWall: .seconds(4), referenceSlots: 1
        )
        let report = BenchReport(
            workload: "fib <&>", reference: "sequential run in process", referenceSlots: 1,
            rows: [sequential, Self.row(1, .threads, wall: 4), Self.row(2, .threads, wall: 2.5), Self.row(4, .threads, wall: 2), Self.row(1, .processes, wall: 4), Self.row(2, .processes, wall: 2)]
        )
        let svg = try SVGElements(report.plot())
        let points = svg.named("circle", classes: ["point"])
        #expect(points.count == 5)
        let bySeries = Dictionary(grouping: points) { SVGElements.attribute($0, "data-series") ?? "?" }
        #expect(bySeries.mapValues(\.count) == ["threads": 3, "processes": 2])
        #expect(Set(points.compactMap { SVGElements.attribute($0, "data-workers") }) == ["1", "2", "4"])
        #expect(points.contains { SVGElements.attribute($0, "data-workers") == "2" && SVGElements.attribute($0, "data-speedup") == "2.000" })
        #expect(svg.named("polyline", classes: ["ideal"]).count == 1)
        let texts = svg.named("text").map(\.text)
        #expect(texts.contains("workers") && texts.contains("speedup"))
        #expect(texts.contains("Speedup of fib <&>"))
        // A higher speedup sits higher: SVG's y grows downwards.
        let twoWorkers = try #require(bySeries["processes"]?.first { SVGElements.attribute($0, "data-workers") == "2" })
        let oneWorker = try #require(bySeries["processes"]?.first { SVGElements.attribute($0, "data-workers") == "1" })
        #expect(try #require(SVGElements.number(twoWorkers, "cy")) < #require(SVGElements.number(oneWorker, "cy")))
    }

    @Test("with several pool sizes, a series per pool kind and size, and an ideal line per size")
    func sizes() throws {
        let report = BenchReport(
            workload: "noop", reference: "smallest shape", referenceSlots: 1,
            rows: [Self.row(1, .threads, wall: 4), Self.row(2, .threads, wall: 2), Self.row(1, .threads, size: 2, wall: 2), Self.row(2, .threads, size: 2, wall: 1)]
        )
        let svg = try SVGElements(report.plot())
        let series = Set(svg.named("circle", classes: ["point"]).compactMap { SVGElements.attribute($0, "data-series") })
        #expect(series == ["threads × 1", "threads × 2"])
        #expect(svg.named("polyline", classes: ["ideal"]).count == 2)
    }
}
