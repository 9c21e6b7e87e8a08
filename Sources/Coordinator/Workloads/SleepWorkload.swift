import FanoutBuiltinJobs
import Foundation

/// Jobs that each hold a slot for a set time and compute nothing: a steady load whose every job should take the
/// same time, for watching scheduling, and faults, at work.
public struct SleepWorkload: Sendable {
    public var count: Int
    public var duration: Duration

    public init(count: Int, duration: Duration) {
        self.count = count
        self.duration = duration
    }

    /// Prints `job N slept D on WORKER` per result in completion order, then `N in X seconds`.
    public func run(on cluster: Cluster, print: @Sendable (String) -> Void) async throws -> WorkloadSummary {
        let start = ContinuousClock.now
        var futures: [JobFuture<Void>] = []
        futures.reserveCapacity(self.count)
        for _ in 0..<self.count {
            futures.append(try await cluster.submitWhenRoom(Sleep(self.duration)))
        }
        var summary = WorkloadSummary()
        for try await future in cluster.asCompleted(futures) {
            do {
                try await future.value
                print("\(future.id) slept \(self.duration) on \(future.worker ?? "?")")
                summary.succeeded += 1
            } catch {
                print("\(future.id) failed: \(error)")
                summary.failures.append("\(error)")
            }
        }
        summary.elapsed = ContinuousClock.now - start
        print("\(summary.succeeded) in \(String(format: "%.4f", summary.elapsed.seconds)) seconds")
        return summary
    }
}
