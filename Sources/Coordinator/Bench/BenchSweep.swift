import FanoutJobs
import FanoutProtocol
import Logging
import NIOCore

/// Runs a workload on every shape of a sweep: a warm-up, then timed repeats on each.
///
/// Shapes come from local workers started for each one (``runLocally(_:shapes:logger:progress:)``),
/// or from the first N workers of a hosts file (``runOnHosts(_:workers:tls:counts:logger:progress:)``).
/// Speedup is against the shape with the fewest slots, or against the sequential baseline when
/// ``sequentialBaseline`` is set: the same jobs one after another in this process, with the workers' own code.
public struct BenchSweep: Sendable {
    public var repeats: Int
    public var warmups: Int
    public var sequentialBaseline: Bool

    /// `progress` hears a line per timed run.
    public typealias Progress = @Sendable (String) -> Void

    public init(repeats: Int = 3, warmups: Int = 1, sequentialBaseline: Bool = false) {
        precondition(repeats >= 1 && warmups >= 0)
        self.repeats = repeats
        self.warmups = warmups
        self.sequentialBaseline = sequentialBaseline
    }

    /// Times `workload` on each of `shapes`, each on local workers started for it.
    public func runLocally(
        _ workload: BenchWorkload,
        shapes: [ClusterShape],
        logger: Logger,
        progress: Progress = { _ in }
    ) async throws -> BenchReport {
        precondition(!shapes.isEmpty)
        var runs: [ClusterShape: [BenchRun]] = [:]
        for shape in shapes.sorted() {
            runs[shape] = try await Cluster.withCluster(from: .local(count: shape.workers, pool: shape.pool, size: shape.size), logger: logger) { cluster in
                try await self.time(workload, on: cluster, as: shape, progress: progress)
            }
        }
        return try await self.report(workload, runs: runs, progress: progress)
    }

    /// Times `workload` on the first N of `workers` for each N of `counts`. Each shape's slots are those the
    /// cluster gives the N workers (a hosts file's `slots=`, else what each said in its hello); its pool kind
    /// is the workers', or the first worker's when they differ.
    public func runOnHosts(
        _ workload: BenchWorkload,
        workers: [WorkerAddress],
        tls: TLSFiles,
        counts: [Int],
        logger: Logger,
        progress: Progress = { _ in }
    ) async throws -> BenchReport {
        precondition(!counts.isEmpty)
        if let most = counts.max(), most > workers.count {
            throw ClusterError(.noWorkers, "the sweep asks for \(most) workers, but the hosts file lists \(workers.count)")
        }
        var runs: [ClusterShape: [BenchRun]] = [:]
        for count in Set(counts).sorted() {
            let chosen = Array(workers.prefix(count))
            let timed = try await Cluster.withCluster(workers: chosen, tls: tls, logger: logger) { cluster in
                let connected = cluster.workers
                guard connected.count == count else {
                    let reasons = cluster.unreachable.map(\.description).joined(separator: "; ")
                    throw ClusterError(.unreachable, "\(count - connected.count) of the first \(count) workers could not be reached: \(reasons)")
                }
                let slots = connected.reduce(0) { $0 + ($1.address.slots ?? Int($1.capabilities.slots)) }
                let shape = ClusterShape(workers: count, pool: connected[0].capabilities.poolKind, slots: slots)
                return (shape, try await self.time(workload, on: cluster, as: shape, progress: progress))
            }
            runs[timed.0] = timed.1
        }
        return try await self.report(workload, runs: runs, progress: progress)
    }

    private func time(_ workload: BenchWorkload, on cluster: Cluster, as shape: ClusterShape, progress: Progress) async throws -> [BenchRun] {
        try await self.repeated(shape, progress: progress) { try await workload.run(on: cluster, shape: shape) }
    }

    /// `run` as a sweep runs each shape: the warm-ups, then the timed runs, each told to `progress`.
    private func repeated(_ shape: ClusterShape, progress: Progress, _ run: () async throws -> BenchRun) async throws -> [BenchRun] {
        for _ in 0..<self.warmups {
            _ = try await run()
        }
        var timed: [BenchRun] = []
        for index in 1...self.repeats {
            let run = try await run()
            progress("\(shape): run \(index) of \(self.repeats) took \(BenchReport.number(run.wall.seconds, 3)) s")
            timed.append(run)
        }
        return timed
    }

    /// Times `workload` one job after another in this process: CPU jobs on one thread, downloads with one client.
    private func timeSequentially(_ workload: BenchWorkload, progress: Progress) async throws -> [BenchRun] {
        try await JobEnvironment.withLocal(logger: Logger(label: "fanout.bench.sequential")) { environment in
            try await self.repeated(.sequential, progress: progress) { try await workload.runSequentially(in: environment) }
        }
    }

    private func report(_ workload: BenchWorkload, runs: [ClusterShape: [BenchRun]], progress: Progress) async throws -> BenchReport {
        let shapes = runs.keys.sorted()
        let baseline = self.sequentialBaseline ? try await self.timeSequentially(workload, progress: progress) : nil
        let referenceShape = baseline == nil ? shapes.min { $0.slots < $1.slots }! : .sequential
        let referenceRuns = baseline ?? runs[referenceShape] ?? []
        let referenceWall = ShapeStatistics.median(referenceRuns.map(\.wall).sorted())
        func statistics(_ shape: ClusterShape, _ runs: [BenchRun]) -> ShapeStatistics {
            ShapeStatistics(shape: shape, runs: runs, referenceWall: referenceWall, referenceSlots: referenceShape.slots)
        }
        let rows = (baseline.map { [statistics(.sequential, $0)] } ?? []) + shapes.map { statistics($0, runs[$0] ?? []) }
        return BenchReport(
            workload: workload.name,
            reference: baseline == nil ? "smallest shape (\(referenceShape))" : "sequential run in process",
            referenceSlots: referenceShape.slots,
            rows: rows
        )
    }
}
