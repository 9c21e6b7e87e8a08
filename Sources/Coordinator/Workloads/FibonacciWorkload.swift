import FanoutBuiltinJobs
import Foundation

/// The seed's `gil.py`: four tasks each computing Fibonacci 35 to 39, first all at once on the cluster, then
/// one after another, each with its time.
public struct FibonacciWorkload: Sendable {
    public var range: ClosedRange<UInt32>
    public var tasks: Int

    public init(range: ClosedRange<UInt32> = 35...39, tasks: Int = 4) {
        self.range = range
        self.tasks = tasks
    }

    /// Prints `Fibonacci(i) = value (worker)` per result and `Time taken: X seconds` per phase.
    /// Every task's numbers, task after task: the jobs in the order they are submitted.
    public var numbers: [UInt32] {
        Array(repeating: Array(self.range), count: self.tasks).flatMap { $0 }
    }

    public func run(on cluster: Cluster, print: @Sendable (String) -> Void) async throws -> WorkloadSummary {
        var summary = WorkloadSummary()
        let start = ContinuousClock.now

        print("All \(self.tasks) tasks at once:")
        let futures = try (0..<self.tasks).flatMap { _ in try self.range.map { try cluster.submit(Fibonacci($0)) } }
        let numbers = Dictionary(uniqueKeysWithValues: zip(futures.map(\.id), self.numbers))
        let concurrentStart = ContinuousClock.now
        for try await future in cluster.asCompleted(futures) {
            self.report(future, n: numbers[future.id] ?? 0, into: &summary, print: print)
        }
        print("Time taken: \(String(format: "%.4f", (ContinuousClock.now - concurrentStart).seconds)) seconds")

        print("One after another:")
        let sequentialStart = ContinuousClock.now
        for _ in 0..<self.tasks {
            for n in self.range {
                let future = try cluster.submit(Fibonacci(n))
                await future.erased.waitUntilDone()
                self.report(future, n: n, into: &summary, print: print)
            }
        }
        print("Time taken: \(String(format: "%.4f", (ContinuousClock.now - sequentialStart).seconds)) seconds")
        summary.elapsed = ContinuousClock.now - start
        return summary
    }

    private func report(_ future: JobFuture<UInt64>, n: UInt32, into summary: inout WorkloadSummary, print: (String) -> Void) {
        if let error = future.error {
            print("Fibonacci(\(n)) failed: \(error)")
            summary.failures.append("fibonacci(\(n)): \(error)")
        } else if case .finished = future.state, let value = try? future.result() {
            print("Fibonacci(\(n)) = \(value) (\(future.worker ?? "?"))")
            summary.succeeded += 1
        }
    }
}
