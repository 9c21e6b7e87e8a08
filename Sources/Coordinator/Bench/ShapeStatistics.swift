/// What the runs of one shape say, against a reference (the smallest shape, or a sequential baseline).
///
/// - `speedup`: the reference's median wall time over this shape's.
/// - `efficiency`: speedup per unit of parallelism gained, `speedup / (slots / referenceSlots)`; 1 is
///   perfect scaling.
/// - `overheadPerJob`: slot time per job that the jobs' own run times do not explain,
///   `(median wall × slots − median busy) / jobs`: queueing, the wire, scheduling, idle slots.
public struct ShapeStatistics: Hashable, Sendable {
    public var shape: ClusterShape
    public var runs: Int
    public var jobs: Int
    public var medianWall: Duration
    public var minimumWall: Duration
    public var maximumWall: Duration
    public var jobsPerSecond: Double
    public var speedup: Double
    public var efficiency: Double
    public var overheadPerJob: Duration

    /// Statistics of `runs` (all of `shape`), against a reference of `referenceWall` on `referenceSlots`.
    public init(shape: ClusterShape, runs: [BenchRun], referenceWall: Duration, referenceSlots: Int) {
        precondition(!runs.isEmpty, "statistics need at least one run")
        let walls = runs.map(\.wall).sorted()
        let busies = runs.map(\.busy).sorted()
        let median = Self.median(walls)
        let jobs = runs[0].jobs
        self.shape = shape
        self.runs = runs.count
        self.jobs = jobs
        self.medianWall = median
        self.minimumWall = walls[0]
        self.maximumWall = walls[walls.count - 1]
        self.jobsPerSecond = median > .zero ? Double(jobs) / median.seconds : 0
        self.speedup = median > .zero ? referenceWall.seconds / median.seconds : 0
        let parallelism = Double(shape.slots) / Double(max(1, referenceSlots))
        self.efficiency = parallelism > 0 ? self.speedup / parallelism : 0
        let unexplained = median * shape.slots - Self.median(busies)
        self.overheadPerJob = jobs > 0 && unexplained > .zero ? unexplained / jobs : .zero
    }

    /// The middle value, or the mean of the two middle values; `sorted` must be sorted and not empty.
    static func median(_ sorted: [Duration]) -> Duration {
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
