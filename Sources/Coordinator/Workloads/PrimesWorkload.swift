import FanoutBuiltinJobs
import FanoutProtocol
import Foundation

/// The seed's `multiprocs.py`: check numbers for primality on the cluster, a line per result as it arrives,
/// then how many in how long.
public struct PrimesWorkload: Sendable {
    public var numbers: [UInt64]
    public var method: PrimeMethod

    public init(numbers: [UInt64], method: PrimeMethod = .trialDivisionToN) {
        self.numbers = numbers
        self.method = method
    }

    /// Prints `n | p | elapsed | worker` per result in completion order, then `N in X seconds`.
    public func run(on cluster: Cluster, print: @Sendable (String) -> Void) async throws -> WorkloadSummary {
        let start = ContinuousClock.now
        let futures = try self.numbers.map { try cluster.submit(PrimeCheck($0, method: self.method)) }
        let numbers = Dictionary(uniqueKeysWithValues: zip(futures.map(\.id), self.numbers))
        var summary = WorkloadSummary()
        for try await future in cluster.asCompleted(futures) {
            let n = numbers[future.id] ?? 0
            do {
                let isPrime = try await future.value
                let elapsed = future.timing?.ran.seconds ?? 0
                print("\(Self.pad(n, to: 16)) | \(isPrime ? "p" : " ") | \(String(format: "%.9f", elapsed)) | \(future.worker ?? "?")")
                summary.succeeded += 1
            } catch {
                print("\(Self.pad(n, to: 16)) | ! | failed: \(error)")
                summary.failures.append("\(n): \(error)")
            }
        }
        summary.elapsed = ContinuousClock.now - start
        print("\(summary.succeeded) in \(String(format: "%.4f", summary.elapsed.seconds)) seconds")
        return summary
    }

    static func pad(_ value: some CustomStringConvertible, to width: Int) -> String {
        let text = value.description
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
