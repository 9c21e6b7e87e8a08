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

    /// Submits every job, waits for all, and times it; throws the first job error.
    public func run(on cluster: Cluster, shape: ClusterShape) async throws -> BenchRun {
        let start = ContinuousClock.now
        let futures: [AnyJobFuture]
        switch self {
        case .primes(let numbers, let method):
            futures = try numbers.map { try cluster.submit(PrimeCheck($0, method: method)).erased }
        case .fibonacci(let numbers):
            futures = try numbers.map { try cluster.submit(Fibonacci($0)).erased }
        case .flags(let countries, let site):
            futures = try countries.map { try cluster.submit(FlagDownload(country: $0, url: site.url(for: $0))).erased }
        case .sleep(let count, let duration):
            futures = try (0..<count).map { _ in try cluster.submit(Sleep(duration)).erased }
        case .noop(let count):
            futures = try (0..<count).map { _ in try cluster.submit(NoOp()).erased }
        }
        var busy = Duration.zero
        for future in futures {
            await future.waitUntilDone()
            if let error = future.error { throw error }
            busy += future.timing?.ran ?? .zero
        }
        return BenchRun(shape: shape, wall: ContinuousClock.now - start, jobs: futures.count, busy: busy)
    }
}
