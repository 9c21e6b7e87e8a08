/// One reported figure: the median of its runs, with the smallest and largest.
struct Figure: Encodable, Sendable {
    var median: Double
    var min: Double
    var max: Double
    var runs: [Double]

    init(_ runs: [Double]) {
        precondition(!runs.isEmpty, "a figure needs at least one run")
        let sorted = runs.sorted()
        let middle = sorted.count / 2
        self.median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        self.min = sorted[0]
        self.max = sorted[sorted.count - 1]
        self.runs = runs
    }
}
