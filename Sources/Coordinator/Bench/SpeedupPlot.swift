/// A sweep's speedup against workers as SVG: one series of points per pool kind (and pool size, when the sweep
/// has several), the ideal line of perfect scaling for each pool size, and labelled axes.
///
/// Each point is a `circle` of class `point` with `data-series`, `data-workers` and `data-speedup`; each ideal
/// line a `polyline` of class `ideal`. The sequential baseline, when there is one, is the reference, not a point.
public enum SpeedupPlot {
    static let palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#9c755f"]

    public static func svg(_ report: BenchReport) -> String {
        let rows = report.rows.filter { !$0.shape.isSequential }
        let sizes = Set(rows.map(\.shape.size))
        func series(_ shape: ClusterShape) -> String { sizes.count > 1 ? "\(shape.pool) × \(shape.size)" : "\(shape.pool)" }
        let names = Array(Set(rows.map { series($0.shape) })).sorted()
        let maximumWorkers = Double(rows.map(\.shape.workers).max() ?? 1)
        // The ideal for w workers of size s is w × s / (the reference's slots).
        func ideal(workers: Int, size: Int) -> Double { Double(workers * size) / Double(max(1, report.referenceSlots)) }
        let highestIdeal = sizes.map { ideal(workers: Int(maximumWorkers), size: $0) }.max() ?? 1
        let highest = max(highestIdeal, rows.map(\.speedup).max() ?? 1, 1) * 1.1

        let left = 70.0, top = 60.0, plotWidth = 560.0, plotHeight = 380.0, right = 190.0, bottom = 60.0
        var document = SVGDocument(width: left + plotWidth + right, height: top + plotHeight + bottom)
        func x(_ workers: Double) -> Double { left + workers / max(maximumWorkers, 1) * plotWidth }
        func y(_ speedup: Double) -> Double { top + plotHeight - speedup / highest * plotHeight }

        document.text("Speedup of \(report.workload)", x: left, y: 24, className: "heading")
        document.text("against the \(report.reference)", x: left, y: 44)
        for tick in SVGDocument.ticks(upTo: highest) {
            document.line(x1: left, y1: y(tick), x2: left + plotWidth, y2: y(tick), className: "grid")
            document.text(SVGDocument.tickLabel(tick), x: left - 8, y: y(tick) + 4, anchor: "end")
        }
        let workerTicks = Set(rows.map(\.shape.workers)).union([0]).sorted()
        for tick in workerTicks {
            document.line(x1: x(Double(tick)), y1: top + plotHeight, x2: x(Double(tick)), y2: top + plotHeight + 5, className: "axis")
            document.text("\(tick)", x: x(Double(tick)), y: top + plotHeight + 20, anchor: "middle")
        }
        document.line(x1: left, y1: top + plotHeight, x2: left + plotWidth, y2: top + plotHeight, className: "axis")
        document.line(x1: left, y1: top, x2: left, y2: top + plotHeight, className: "axis")
        document.text("workers", x: left + plotWidth / 2, y: top + plotHeight + 44, anchor: "middle", className: "axis-label")
        document.text("speedup", x: 20, y: top + plotHeight / 2, anchor: "middle", className: "axis-label", rotate: true)

        var legendY = top + 10
        for size in sizes.sorted() {
            let points = [(0.0, 0.0), (maximumWorkers, ideal(workers: Int(maximumWorkers), size: size))]
                .map { "\(SVGDocument.number(x($0.0))),\(SVGDocument.number(y($0.1)))" }.joined(separator: " ")
            document.add("polyline", ["points": points, "class": "ideal", "data-size": "\(size)"], title: "ideal: \(size) slot\(size == 1 ? "" : "s") per worker")
            if sizes.count > 1 {
                let end = ideal(workers: Int(maximumWorkers), size: size)
                document.text("× \(size)", x: x(maximumWorkers) + 6, y: y(end) + 4)
            }
        }
        document.line(x1: left + plotWidth + 20, y1: legendY, x2: left + plotWidth + 44, y2: legendY, className: "ideal")
        document.text(sizes.count > 1 ? "ideal (per size)" : "ideal", x: left + plotWidth + 50, y: legendY + 4)
        legendY += 22

        for (index, name) in names.enumerated() {
            let colour = Self.palette[index % Self.palette.count]
            let members = rows.filter { series($0.shape) == name }.sorted { $0.shape.workers < $1.shape.workers }
            let points = members.map { "\(SVGDocument.number(x(Double($0.shape.workers)))),\(SVGDocument.number(y($0.speedup)))" }
            document.add("polyline", ["points": points.joined(separator: " "), "class": "series", "stroke": colour])
            for row in members {
                document.add(
                    "circle",
                    [
                        "cx": SVGDocument.number(x(Double(row.shape.workers))), "cy": SVGDocument.number(y(row.speedup)), "r": "5",
                        "class": "point", "fill": colour, "data-series": name, "data-workers": "\(row.shape.workers)",
                        "data-speedup": BenchReport.number(row.speedup, 3),
                    ],
                    title: "\(row.shape): speedup \(BenchReport.number(row.speedup, 2))×, efficiency \(BenchReport.number(row.efficiency * 100, 0))%, "
                        + "median \(BenchReport.number(row.medianWall.seconds, 3)) s over \(row.runs) runs"
                )
            }
            document.add("circle", ["cx": SVGDocument.number(left + plotWidth + 32), "cy": SVGDocument.number(legendY), "r": "5", "fill": colour, "class": "legend"])
            document.text(name, x: left + plotWidth + 50, y: legendY + 4)
            legendY += 22
        }
        return document.rendered(title: "Speedup of \(report.workload)", style: Self.style)
    }

    static let style = """
        .heading { font-size: 15px; font-weight: bold; } .label { fill: #333; } .axis-label { fill: #333; font-size: 13px; }
        .axis { stroke: #333; } .grid { stroke: #e4e4e4; } .ideal { stroke: #888; stroke-dasharray: 6 4; fill: none; }
        .series { fill: none; stroke-width: 2; }
        """
}
