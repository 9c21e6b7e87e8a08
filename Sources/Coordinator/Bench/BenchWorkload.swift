import FanoutBuiltinJobs
import FanoutJobs
import FanoutProtocol
import Foundation

/// A workload a sweep times: the jobs of one of the seed's programs, or sleeps and no-ops.
public enum BenchWorkload: Sendable {
    case primes(numbers: [UInt64], method: PrimeMethod)
    case fibonacci(numbers: [UInt32])
    case flags(countries: [String], site: FlagSite)
    case sleep(count: Int, duration: Duration)
    case noop(count: Int)

    public var name: String {
        switch self {
        case .primes(let numbers, let method): "primes (\(numbers.count), \(method))"
        case .fibonacci(let numbers): "fib (\(numbers.count) numbers)"
        case .flags(let countries, _): "flags (\(countries.count))"
        case .sleep(let count, let duration): "sleep (\(count) × \(duration))"
        case .noop(let count): "noop (\(count))"
        }
    }

    /// Every job of the workload, in submission order.
    public var jobs: [any Job] {
        switch self {
        case .primes(let numbers, let method): numbers.map { PrimeCheck($0, method: method) }
        case .fibonacci(let numbers): numbers.map { Fibonacci($0) }
        case .flags(let countries, let site): countries.map { FlagDownload(country: $0, url: site.url(for: $0)) }
        case .sleep(let count, let duration): Array(repeating: Sleep(duration), count: count)
        case .noop(let count): Array(repeating: NoOp(), count: count)
        }
    }

    /// Submits every job, waits for all, and times it; throws the first job error.
    public func run(on cluster: Cluster, shape: ClusterShape) async throws -> BenchRun {
        let jobs = self.jobs
        let start = ContinuousClock.now
        let futures = try jobs.map { try cluster.submitErased($0) }
        var busy = Duration.zero
        for future in futures {
            await future.waitUntilDone()
            if let error = future.error { throw error }
            busy += future.timing?.ran ?? .zero
        }
        return BenchRun(shape: shape, wall: ContinuousClock.now - start, jobs: futures.count, busy: busy)
    }

    /// Runs every job one after another in this process, in `environment`, and times it; throws at the first
    /// job that fails.
    public func runSequentially(in environment: JobEnvironment) async throws -> BenchRun {
        let jobs = self.jobs
        let start = ContinuousClock.now
        var busy = Duration.zero
        for (index, job) in jobs.enumerated() {
            let jobStart = ContinuousClock.now
            let context = JobContext(jobID: JobID(UInt64(index + 1)), attempt: 1, slot: 0, environment: environment)
            do {
                try await Self.run(job, in: context)
            } catch {
                let failure = JobFailure(error, kind: type(of: job).kind)
                throw ClusterError(.jobFailed, "the sequential baseline's \(type(of: job).kind) job failed: \(failure)", cause: failure)
            }
            busy += ContinuousClock.now - jobStart
        }
        return BenchRun(shape: .sequential, wall: ContinuousClock.now - start, jobs: jobs.count, busy: busy)
    }

    private static func run<J: Job>(_ job: J, in context: JobContext) async throws {
        _ = try await job.run(in: context)
    }
}
