import FanoutJobRunners
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
    public var specs: [JobSpec] {
        switch self {
        case .primes(let numbers, let method): numbers.map { .primeCheck(n: $0, method: method) }
        case .fibonacci(let numbers): numbers.map { .fibonacci(n: $0) }
        case .flags(let countries, let site): countries.map { .flagDownload(country: $0, url: site.url(for: $0)) }
        case .sleep(let count, let duration): Array(repeating: .sleep(nanoseconds: duration.wireNanoseconds), count: count)
        case .noop(let count): Array(repeating: .noop, count: count)
        }
    }

    /// Submits every job, waits for all, and times it; throws the first job error.
    public func run(on cluster: Cluster, shape: ClusterShape) async throws -> BenchRun {
        let specs = self.specs
        let start = ContinuousClock.now
        let futures = try specs.map { try cluster.submit(AnyJob(spec: $0)).erased }
        var busy = Duration.zero
        for future in futures {
            await future.waitUntilDone()
            if let error = future.error { throw error }
            busy += future.timing?.ran ?? .zero
        }
        return BenchRun(shape: shape, wall: ContinuousClock.now - start, jobs: futures.count, busy: busy)
    }

    /// Runs every job one after another in this process with `runner`, and times it; throws at the first
    /// job that fails.
    public func runSequentially(with runner: JobRunner) async throws -> BenchRun {
        let specs = self.specs
        let start = ContinuousClock.now
        var busy = Duration.zero
        for spec in specs {
            let jobStart = ContinuousClock.now
            let outcome = await runner.run(spec)
            busy += ContinuousClock.now - jobStart
            if case .failed(let failure) = outcome {
                throw SequentialRunError(spec: spec, failure: failure)
            }
        }
        return BenchRun(shape: .sequential, wall: ContinuousClock.now - start, jobs: specs.count, busy: busy)
    }
}

/// A job of the sequential baseline failed.
public struct SequentialRunError: Error, CustomStringConvertible {
    public var spec: JobSpec
    public var failure: JobFailure

    public var description: String { "the sequential baseline's \(self.spec.kind) job failed: \(self.failure)" }
}

/// Any job spec, giving back the worker's output as it is: the bench times jobs and needs no typed outputs.
private struct AnyJob: Job {
    var spec: JobSpec

    func output(from output: JobOutput) -> JobOutput? { output }
}
