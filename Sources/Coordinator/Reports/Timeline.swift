import FanoutLocking
import Foundation

/// A Gantt chart of a run, as SVG: one row per slot of each worker, one bar per job from when its slot took
/// it to when it stopped, on the coordinator's clock (each worker's clock mapped with the offset that ping
/// and pong estimate).
///
/// Bars are coloured by how the job ended; a job that took more than one attempt has a thick dark outline.
/// A job no slot ran (cancelled while queued, or failed with its worker) gets its bar, from submit to end,
/// on a last row, "not run". Every bar has a tooltip naming the job, its input, worker, attempts and times.
public final class Timeline: JobObserver {
    private let records = Locked<[JobRecord]>([])

    public init() {}

    public func jobDone(_ record: JobRecord) {
        self.records.withLock { $0.append(record) }
    }

    public func jobsDone(_ records: ArraySlice<JobRecord>) {
        self.records.withLock { $0.append(contentsOf: records) }
    }

    /// The chart of every job done so far.
    public func svg(title: String = "Fanout run") -> String {
        Self.svg(self.records.withLock { $0 }, title: title)
    }

    /// Writes the chart to `path`.
    public func write(to path: String, title: String = "Fanout run") throws {
        try Data(self.svg(title: title).utf8).write(to: URL(fileURLWithPath: path))
    }

    private struct Row: Hashable, Comparable {
        var worker: String
        var slot: Int

        static let notRun = Row(worker: "", slot: -1)

        var label: String { self == .notRun ? "not run" : "\(self.worker) slot \(self.slot)" }

        static func < (lhs: Row, rhs: Row) -> Bool {
            if lhs == .notRun || rhs == .notRun { return rhs == .notRun && lhs != .notRun }
            return (lhs.worker, lhs.slot) < (rhs.worker, rhs.slot)
        }
    }

    private struct Bar {
        var record: JobRecord
        var row: Row
        var start: UInt64
        var end: UInt64
    }

    static func svg(_ records: [JobRecord], title: String) -> String {
        let bars = records.sorted { $0.job.rawValue < $1.job.rawValue }.map { record -> Bar in
            if let run = record.slotRun {
                return Bar(record: record, row: Row(worker: run.worker, slot: run.slot), start: run.started, end: run.ended)
            }
            let span = record.submittedToEnded
            return Bar(record: record, row: .notRun, start: span.start, end: span.end)
        }
        let rows = Array(Set(bars.map(\.row))).sorted()
        let origin = bars.map { min($0.start, $0.record.times.submitted) }.min() ?? 0
        let finish = bars.map(\.end).max() ?? origin
        let span = max(Double(finish - origin) / 1e9, 1e-6)

        let left = 190.0, right = 30.0, top = 50.0, rowHeight = 18.0, bottom = 70.0
        let plotWidth = 900.0
        let height = top + Double(rows.count) * rowHeight + bottom
        var document = SVGDocument(width: left + plotWidth + right, height: height)
        func x(_ time: UInt64) -> Double { left + Double(time - origin) / 1e9 / span * plotWidth }
        let rowIndex = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })

        document.text(title, x: left, y: 22, className: "heading")
        let failed = bars.filter { $0.record.state == .failed }.count
        let retried = bars.filter { $0.record.attempts > 1 }.count
        document.text(
            "\(bars.count) jobs, \(failed) failed, \(retried) retried, \(rows.count - (rowIndex[.notRun] == nil ? 0 : 1)) slots",
            x: left + plotWidth, y: 22, anchor: "end"
        )
        for (index, row) in rows.enumerated() {
            let y = top + Double(index) * rowHeight
            if index % 2 == 1 {
                document.add("rect", ["x": SVGDocument.number(left), "y": SVGDocument.number(y), "width": SVGDocument.number(plotWidth), "height": SVGDocument.number(rowHeight), "class": "stripe"])
            }
            document.text(row.label, x: left - 8, y: y + rowHeight * 0.7, anchor: "end")
        }
        let axisY = top + Double(rows.count) * rowHeight
        document.line(x1: left, y1: axisY, x2: left + plotWidth, y2: axisY, className: "axis")
        for tick in SVGDocument.ticks(upTo: span) {
            let tickX = left + tick / span * plotWidth
            document.line(x1: tickX, y1: top, x2: tickX, y2: axisY + 4, className: "grid")
            document.text(SVGDocument.tickLabel(tick), x: tickX, y: axisY + 18, anchor: "middle")
        }
        document.text("seconds since the first submit, on the coordinator's clock", x: left + plotWidth / 2, y: axisY + 40, anchor: "middle", className: "axis-label")
        document.text("worker and slot", x: 16, y: top + Double(rows.count) * rowHeight / 2, anchor: "middle", className: "axis-label", rotate: true)

        for bar in bars {
            let record = bar.record
            var classes = ["job", "\(record.state)"]
            if record.attempts > 1 { classes.append("retried") }
            if bar.row == .notRun { classes.append("not-run") }
            let y = top + Double(rowIndex[bar.row] ?? 0) * rowHeight + 2
            let startX = x(bar.start)
            let width = max(x(bar.end) - startX, 1)
            var tooltip = "job \(record.job.rawValue) \(record.kind) \(record.input): \(record.state)"
            tooltip += ", attempt\(record.attempts == 1 ? "" : "s") \(record.attempts)"
            if let worker = record.worker { tooltip += ", on \(worker)" }
            tooltip += String(format: ", %.6f s to %.6f s", Double(bar.start - origin) / 1e9, Double(bar.end - origin) / 1e9)
            if let error = record.error { tooltip += ": \(error)" }
            document.add(
                "rect",
                [
                    "x": SVGDocument.number(startX), "y": SVGDocument.number(y), "width": SVGDocument.number(width),
                    "height": SVGDocument.number(rowHeight - 4), "class": classes.joined(separator: " "),
                    "data-job": "\(record.job.rawValue)",
                ],
                title: tooltip
            )
        }

        let legendY = axisY + 56
        var legendX = left
        for (name, className) in [("finished", "legend finished"), ("failed", "legend failed"), ("cancelled", "legend cancelled"), ("retried", "legend finished retried")] {
            document.add("rect", ["x": SVGDocument.number(legendX), "y": SVGDocument.number(legendY - 10), "width": "14", "height": "12", "class": className])
            document.text(name, x: legendX + 20, y: legendY)
            legendX += 110
        }
        return document.rendered(title: title, style: Self.style)
    }

    static let style = """
        .heading { font-size: 15px; font-weight: bold; } .label { fill: #333; } .axis-label { fill: #333; font-size: 13px; }
        .job { stroke: white; stroke-width: 0.5; } .axis { stroke: #333; } .grid { stroke: #ddd; } .stripe { fill: #f4f4f4; }
        .finished { fill: #4e79a7; } .failed { fill: #e15759; } .cancelled { fill: #bab0ac; }
        .not-run { fill-opacity: 0.5; } .retried { stroke: #222; stroke-width: 2; }
        """
}
