import FanoutBuiltinJobs
import FanoutCoordinator
import FanoutJobs
import FanoutLocking
import FanoutProtocol
import Foundation
import Logging

/// The measurements of `benchmarks/run.sh`, each on local workers over mutual TLS.
struct Measurements: Sendable {
    var quick: Bool
    var repeats: Int
    let logger: Logger

    /// Runs `body` on `workers` local workers of `pool` × `size`, connected.
    func onCluster<Result: Sendable>(
        workers: Int = 2,
        pool: PoolKind = .threads,
        size: Int? = nil,
        observers: [any JobObserver] = [],
        _ body: (Cluster) async throws -> Result
    ) async throws -> Result {
        try await Cluster.withCluster(
            from: .local(count: workers, pool: pool, size: size),
            configuration: ClusterConfiguration(observers: observers),
            logger: self.logger,
            body
        )
    }

    /// What a no-op `map` on 2 workers measures: jobs per second, and frames and socket bytes per job both ways.
    struct NoopFigures {
        var jobsPerSecond: Figure
        var framesPerJob: Figure
        var bytesPerJob: Figure
    }

    /// `map` over no-op jobs on 2 workers, in batches of `chunksize`.
    func noopThroughput(chunksize: Int) async throws -> NoopFigures {
        try await self.throughput(chunksize: chunksize) { _ in NoOp() }
    }

    /// `map` over the jobs `makeJob` makes on 2 workers, in batches of `chunksize`.
    func throughput<J: Job>(chunksize: Int, _ makeJob: @escaping (Int) -> J) async throws -> NoopFigures {
        let jobs = self.quick ? 100_000 : 1_000_000
        return try await self.onCluster { cluster in
            var rates: [Double] = []
            var frames: [Double] = []
            var bytes: [Double] = []
            for _ in 0..<self.repeats {
                let before = cluster.wireTraffic
                rates.append(try await Self.rate(of: jobs, on: cluster, chunksize: chunksize, makeJob))
                let traffic = cluster.wireTraffic.since(before)
                frames.append(Double(traffic.framesSent + traffic.framesReceived) / Double(jobs))
                bytes.append(Double(traffic.bytesSent + traffic.bytesReceived) / Double(jobs))
            }
            return NoopFigures(jobsPerSecond: Figure(rates), framesPerJob: Figure(frames), bytesPerJob: Figure(bytes))
        }
    }

    /// Jobs per second of one `map` over `count` jobs that `makeJob` makes, in batches of `chunksize`.
    static func rate<J: Job>(of count: Int, on cluster: Cluster, chunksize: Int, _ makeJob: @escaping (Int) -> J) async throws -> Double {
        let start = ContinuousClock.now
        var answered = 0
        for try await _ in cluster.map(0..<count, chunksize: chunksize, makeJob) { answered += 1 }
        precondition(answered == count)
        return Double(count) / (ContinuousClock.now - start).seconds
    }

    /// Round trips measured one after another in each run.
    var roundTrips: Int { self.quick ? 2_000 : 10_000 }

    /// Sequential `submit` and `await` of a no-op on 2 workers of `pool`: the 50th and 99th percentile in
    /// microseconds.
    func roundTrip<J: Job>(pool: PoolKind, of job: J) async throws -> (p50: Figure, p99: Figure) {
        let count = self.roundTrips
        return try await self.onCluster(pool: pool) { cluster in
            var runs: [[Double]] = []
            for _ in 0..<self.repeats {
                var times: [Double] = []
                times.reserveCapacity(count)
                for _ in 0..<count {
                    let start = ContinuousClock.now
                    _ = try await cluster.submit(job).value
                    times.append((ContinuousClock.now - start).seconds * 1e6)
                }
                runs.append(times)
            }
            return Self.percentiles(runs)
        }
    }

    /// ``ReferenceRoundTrip``'s round trips, as ``roundTrip(pool:of:)`` measures Fanout's.
    func referenceRoundTrip() async throws -> (p50: Figure, p99: Figure) {
        var runs: [[Double]] = []
        for _ in 0..<self.repeats { runs.append(try await ReferenceRoundTrip.measure(count: self.roundTrips)) }
        return Self.percentiles(runs)
    }

    /// The 50th and 99th percentiles of each run's times.
    private static func percentiles(_ runs: [[Double]]) -> (p50: Figure, p99: Figure) {
        let sorted = runs.map { $0.sorted() }
        return (Figure(sorted.map { $0[$0.count / 2] }), Figure(sorted.map { $0[$0.count * 99 / 100] }))
    }

    /// √n prime checks of random 32-bit numbers on 2 slots, by `map` in batches of `chunksize`: the jobs' own
    /// run time over wall time × slots.
    func smallCPUEfficiency(numbers: [UInt64], chunksize: Int) async throws -> (efficiency: Figure, wall: Figure) {
        let busy = BusyTime()
        return try await self.onCluster(workers: 2, size: 1, observers: [busy]) { cluster in
            var efficiencies: [Double] = []
            var walls: [Double] = []
            for _ in 0..<self.repeats {
                busy.reset()
                let start = ContinuousClock.now
                for try await _ in cluster.map(numbers, chunksize: chunksize, { PrimeCheck($0, method: .trialDivisionToSquareRoot) }) {}
                let wall = (ContinuousClock.now - start).seconds
                let batches = (numbers.count + chunksize - 1) / chunksize
                efficiencies.append(await busy.total(afterJobs: batches).seconds / (wall * 2))
                walls.append(wall)
            }
            return (Figure(efficiencies), Figure(walls))
        }
    }

    /// The seed's 20 prime checks (trial division to n) with a slot per job: wall time over the longest job.
    func seedPrimes(numbers: [UInt64]) async throws -> (ratio: Figure, wall: Figure) {
        try await self.onCluster(workers: 2, size: (numbers.count + 1) / 2) { cluster in
            var ratios: [Double] = []
            var walls: [Double] = []
            for _ in 0..<self.repeats {
                let start = ContinuousClock.now
                let futures = try numbers.map { try cluster.submit(PrimeCheck($0, method: .trialDivisionToN)) }
                var longest = Duration.zero
                for future in futures {
                    _ = try await future.value
                    longest = Swift.max(longest, future.timing?.ran ?? .zero)
                }
                let wall = (ContinuousClock.now - start).seconds
                walls.append(wall)
                ratios.append(wall / longest.seconds)
            }
            return (Figure(ratios), Figure(walls))
        }
    }

    /// The seed's GIL demo, Fibonacci 35 to 39 in four tasks: wall time on 1 slot over wall time on 2.
    func fibonacciSpeedup() async throws -> (speedup: Figure, oneSlot: Figure, twoSlots: Figure) {
        let numbers = FibonacciWorkload().numbers
        func time(_ cluster: Cluster) async throws -> Double {
            let start = ContinuousClock.now
            let futures = try numbers.map { try cluster.submit(Fibonacci($0)) }
            for future in futures { _ = try await future.value }
            return (ContinuousClock.now - start).seconds
        }
        var one: [Double] = []
        var two: [Double] = []
        try await self.onCluster(workers: 1, size: 1) { cluster in
            for _ in 0..<self.repeats { one.append(try await time(cluster)) }
        }
        try await self.onCluster(workers: 2, size: 1) { cluster in
            for _ in 0..<self.repeats { two.append(try await time(cluster)) }
        }
        let speedups = zip(one, two).map { $0 / $1 }
        return (Figure(speedups), Figure(one), Figure(two))
    }

    /// Every country's flag from a local flagserver delaying each answer 100 ms: wall time over the floor,
    /// ceil(jobs / slots) × delay.
    func flags(site: FlagSite, delay: Duration) async throws -> (ratio: Figure, wall: Figure, slots: Int) {
        let countries = Countries.sovereignStates
        return try await self.onCluster(workers: 2) { cluster in
            let slots = cluster.workers.reduce(0) { $0 + Int($1.capabilities.slots) }
            let floor = Double((countries.count + slots - 1) / slots) * delay.seconds
            var ratios: [Double] = []
            var walls: [Double] = []
            for _ in 0..<self.repeats {
                let start = ContinuousClock.now
                let futures = try countries.map { try cluster.submit(FlagDownload(country: $0, url: site.url(for: $0))) }
                for future in futures { _ = try await future.value }
                let wall = (ContinuousClock.now - start).seconds
                walls.append(wall)
                ratios.append(wall / floor)
            }
            return (Figure(ratios), Figure(walls), slots)
        }
    }

    /// `rounds` rounds of 10 ms sleeps on `workers` local workers × `slots`, all submitted at once: the ideal
    /// time, rounds × 10 ms, over the wall time from the first submit to the last result.
    func scaleEfficiency(workers: Int, slots: Int, rounds: Int) async throws -> Figure {
        let sleep = Duration.milliseconds(10)
        let jobs = workers * slots * rounds
        let ideal = (sleep * rounds).seconds
        return try await self.onCluster(workers: workers, size: slots) { cluster in
            var efficiencies: [Double] = []
            for _ in 0..<self.repeats {
                let start = ContinuousClock.now
                let futures = try (0..<jobs).map { _ in try cluster.submit(Sleep(sleep)) }
                for future in futures { try await future.value }
                efficiencies.append(ideal / (ContinuousClock.now - start).seconds)
            }
            return Figure(efficiencies)
        }
    }

    /// Coordinator memory per pending job: resident size grown by submitting `count` jobs that wait. Freed
    /// memory stays resident, so only the first measurement in a process counts: run it in a fresh one.
    func bytesPerPendingJob(count: Int) async throws -> Double {
        try await self.onCluster(workers: 1, size: 1) { cluster in
            let before = ResidentMemory.bytes()
            let futures = try (0..<count).map { _ in try cluster.submit(Sleep(.milliseconds(1))) }
            let after = ResidentMemory.bytes()
            for future in futures { future.cancel() }
            for future in futures { await future.erased.waitUntilDone() }
            return Double(after - before) / Double(count)
        }
    }
}

/// The sum of finished jobs' run times on their workers.
///
/// A future's awaiters may resume before its observers run, so the total is read once every job has been seen.
final class BusyTime: JobObserver {
    private struct State {
        var sum = Duration.zero
        var count = 0
        /// The reader, waiting until `count` reaches its key.
        var reader = Waiters<Int, Duration>()
    }

    private let state = Locked(State())

    func jobDone(_ record: JobRecord) {
        let resume = self.state.withLock { state -> (Waiter<Duration>, Duration)? in
            state.sum += record.timing?.ran ?? .zero
            state.count += 1
            return state.reader.take(state.count).map { ($0, state.sum) }
        }
        if let (reader, sum) = resume { reader.resume(returning: sum) }
    }

    func reset() { self.state.withLock { $0 = State() } }

    /// The total once `jobs` jobs have been seen since the last reset.
    func total(afterJobs jobs: Int) async -> Duration {
        await suspend(ifCancelled: .zero) { reader in
            self.state.withLock { state in state.count >= jobs ? .now(state.sum) : state.reader.park(reader, as: jobs) }
        } unpark: {
            self.state.withLock { $0.reader.take(jobs) }
        }
    }
}
