/// One timed run of a workload on one shape.
public struct BenchRun: Hashable, Sendable {
    public var shape: ClusterShape
    /// From the first submit to the last result, on the coordinator.
    public var wall: Duration
    public var jobs: Int
    /// The jobs' own run times, as the workers measured them, added up.
    public var busy: Duration

    public init(shape: ClusterShape, wall: Duration, jobs: Int, busy: Duration) {
        self.shape = shape
        self.wall = wall
        self.jobs = jobs
        self.busy = busy
    }
}
