import Logging

/// Runs a workload on every shape of a sweep, each on local workers started for it: a warm-up, then timed
/// repeats.
public struct BenchSweep: Sendable {
    public var shapes: [ClusterShape]
    public var repeats: Int
    public var warmups: Int

    public init(shapes: [ClusterShape], repeats: Int = 3, warmups: Int = 1) {
        precondition(!shapes.isEmpty && repeats >= 1 && warmups >= 0)
        self.shapes = shapes.sorted()
        self.repeats = repeats
        self.warmups = warmups
    }

    /// Times `workload` on each shape; speedup is against the shape with the fewest slots.
    /// `progress` hears a line per timed run.
    public func runLocally(
        _ workload: BenchWorkload,
        configuration: ClusterConfiguration = ClusterConfiguration(),
        logger: Logger,
        progress: @Sendable (String) -> Void = { _ in }
    ) async throws -> BenchReport {
        var runs: [ClusterShape: [BenchRun]] = [:]
        for shape in self.shapes {
            runs[shape] = try await LocalWorkers.with(count: shape.workers, pool: shape.pool, size: shape.size) { local in
                try await Cluster.withCluster(workers: local.addresses, tls: local.tls, configuration: configuration, logger: logger) { cluster in
                    for _ in 0..<self.warmups {
                        _ = try await workload.run(on: cluster, shape: shape)
                    }
                    var timed: [BenchRun] = []
                    for index in 1...self.repeats {
                        let run = try await workload.run(on: cluster, shape: shape)
                        progress("\(shape): run \(index) of \(self.repeats) took \(String(format: "%.3f", run.wall.seconds)) s")
                        timed.append(run)
                    }
                    return timed
                }
            }
        }
        let reference = self.shapes.min { $0.slots < $1.slots }!
        let referenceWall = ShapeStatistics.median((runs[reference] ?? []).map(\.wall).sorted())
        let rows = self.shapes.map { shape in
            ShapeStatistics(shape: shape, runs: runs[shape] ?? [], referenceWall: referenceWall, referenceSlots: reference.slots)
        }
        return BenchReport(workload: workload.name, reference: "smallest shape (\(reference))", rows: rows)
    }
}
