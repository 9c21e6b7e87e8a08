import Foundation

/// A sweep's statistics, one row per shape, as a terminal table, CSV or JSON.
///
/// The CSV columns and JSON fields, in this order: `workers`, `pool`, `size`, `slots`, `runs`, `jobs`,
/// `median_seconds`, `min_seconds`, `max_seconds`, `jobs_per_second`, `speedup`, `efficiency`,
/// `overhead_per_job_seconds` (see ``ShapeStatistics`` for what each means). The sequential baseline's row has
/// `workers` 0 and `pool` `sequential`. The JSON is
/// `{"workload": …, "reference": …, "reference_slots": …, "shapes": [ {…}, … ]}`.
/// ``plot()`` draws the speedups as SVG.
public struct BenchReport: Sendable {
    public var workload: String
    /// What speedup is measured against: the smallest shape, or the sequential run.
    public var reference: String
    /// The slots of the reference (1 for the sequential run), against which perfect scaling is counted.
    public var referenceSlots: Int
    public var rows: [ShapeStatistics]

    public init(workload: String, reference: String, referenceSlots: Int, rows: [ShapeStatistics]) {
        self.workload = workload
        self.reference = reference
        self.referenceSlots = referenceSlots
        self.rows = rows
    }

    /// Speedup against workers as a standalone SVG image (see ``SpeedupPlot``).
    public func plot() -> String {
        SpeedupPlot.svg(self)
    }

    public static let columns = [
        "workers", "pool", "size", "slots", "runs", "jobs", "median_seconds", "min_seconds", "max_seconds",
        "jobs_per_second", "speedup", "efficiency", "overhead_per_job_seconds",
    ]

    private func fields(_ row: ShapeStatistics) -> [String] {
        [
            "\(row.shape.workers)", row.shape.poolName, "\(row.shape.size)", "\(row.shape.slots)", "\(row.runs)",
            "\(row.jobs)", Self.number(row.medianWall.seconds, 6), Self.number(row.minimumWall.seconds, 6),
            Self.number(row.maximumWall.seconds, 6), Self.number(row.jobsPerSecond, 3), Self.number(row.speedup, 3),
            Self.number(row.efficiency, 3), Self.number(row.overheadPerJob.seconds, 9),
        ]
    }

    public func csv() -> String {
        ([Self.columns.joined(separator: ",")] + self.rows.map { self.fields($0).joined(separator: ",") })
            .joined(separator: "\n") + "\n"
    }

    public func json() throws -> Data {
        struct Row: Encodable {
            var workers: Int, pool: String, size: Int, slots: Int, runs: Int, jobs: Int
            var median_seconds: Double, min_seconds: Double, max_seconds: Double
            var jobs_per_second: Double, speedup: Double, efficiency: Double, overhead_per_job_seconds: Double
        }
        struct Document: Encodable {
            var workload: String, reference: String, reference_slots: Int, shapes: [Row]
        }
        let rows = self.rows.map { row in
            Row(
                workers: row.shape.workers, pool: row.shape.poolName, size: row.shape.size,
                slots: row.shape.slots, runs: row.runs, jobs: row.jobs, median_seconds: row.medianWall.seconds,
                min_seconds: row.minimumWall.seconds, max_seconds: row.maximumWall.seconds,
                jobs_per_second: row.jobsPerSecond, speedup: row.speedup, efficiency: row.efficiency,
                overhead_per_job_seconds: row.overheadPerJob.seconds
            )
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(Document(workload: self.workload, reference: self.reference, reference_slots: self.referenceSlots, shapes: rows))
    }

    /// Aligned columns for a terminal, headed by the workload and the reference.
    public func table() -> String {
        let header = ["shape", "runs", "jobs", "median s", "min s", "max s", "jobs/s", "speedup", "efficiency", "overhead/job"]
        let body = self.rows.map { row in
            [
                row.shape.description, "\(row.runs)", "\(row.jobs)", Self.number(row.medianWall.seconds, 3),
                Self.number(row.minimumWall.seconds, 3), Self.number(row.maximumWall.seconds, 3),
                Self.number(row.jobsPerSecond, 1), Self.number(row.speedup, 2) + "×", Self.number(row.efficiency * 100, 0) + "%",
                Self.number(row.overheadPerJob.seconds * 1000, 3) + " ms",
            ]
        }
        let widths = header.indices.map { column in ([header] + body).map { $0[column].count }.max() ?? 0 }
        func render(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                return index == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }
        return (["\(self.workload), speedup against the \(self.reference)", render(header)] + body.map(render))
            .joined(separator: "\n") + "\n"
    }

    static func number(_ value: Double, _ decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }
}
