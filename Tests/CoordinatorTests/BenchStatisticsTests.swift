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
        let report = try await BenchSweep(shapes: shapes, repeats: 2, warmups: 1)
            .runLocally(.fibonacci(numbers: Array(10...25)), logger: LocalCluster.logger, progress: lines.print)
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
}
