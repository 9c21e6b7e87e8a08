@testable import FanoutCoordinator
import FanoutBuiltinJobs
import FanoutProtocol
import Testing

/// CPython's test_concurrent_futures map and shutdown tests, against real workers.
@Suite("map and shutdown")
struct MapAndShutdownTests {
    @Test("map gives outputs in input order")
    func mapOrder() async throws {
        try await LocalCluster.with(workers: 2, size: 3) { cluster, _ in
            var outputs: [UInt64] = []
            for try await value in cluster.map(0..<40, { Fibonacci(UInt32($0 % 22)) }) {
                outputs.append(value)
            }
            let expected: [UInt64] = (0..<40).map { n in
                var (a, b): (UInt64, UInt64) = (0, 1)
                for _ in 0..<(n % 22) { (a, b) = (b, a + b) }
                return a
            }
            #expect(outputs == expected)
        }
    }

    @Test("map throws when it reaches a failed job, after the outputs before it")
    func mapError() async throws {
        try await LocalCluster.with { cluster, _ in
            var outputs: [UInt64] = []
            let error = await #expect(throws: JobError.self) {
                for try await value in cluster.map([2, 3, 4, -1, 5], { (n: Int) in Fibonacci(n < 0 ? 94 : UInt32(n)) }) {
                    outputs.append(value)
                }
            }
            #expect(outputs == [1, 2, 3])
            #expect(error?.kind == Fibonacci.kind)
        }
    }

    @Test("map reads its input lazily: an endless input submits only a window of jobs")
    func mapLazy() async throws {
        try await LocalCluster.with { cluster, _ in
            var seen = 0
            for try await value in cluster.map((1...).lazy, window: 8, { NumberJob($0) }) {
                #expect(value)
                seen += 1
                if seen == 20 { break }
            }
            #expect(cluster.submittedCount <= 20 + 8)
        }
    }

    @Test("a map whose task is cancelled cancels every job it has not read, the one it waits on too")
    func mapCancelled() async throws {
        let events = JobEvents()
        let configuration = ClusterConfiguration(prefetch: 0, observers: [events])
        try await LocalCluster.with(workers: 1, size: 1, configuration: configuration) { cluster, _ in
            var submitted = events.submitted.makeAsyncIterator()
            let blocker = try cluster.submit(Sleep(.seconds(2)))
            _ = await submitted.next()
            await blocker.erased.waitUntilRunning()
            let mapping = Task {
                for try await _ in cluster.map([1, 2], { _ in Sleep(.seconds(5)) }) {}
            }
            // Both of map's jobs wait behind the blocker; the first is the one map awaits.
            _ = await submitted.next()
            _ = await submitted.next()
            mapping.cancel()
            _ = await mapping.result
            var ended: [JobID: JobState] = [:]
            for await record in events.done where record.job != blocker.id {
                ended[record.job] = record.state
                if ended.count == 2 { break }
            }
            #expect(ended == [JobID(2): .cancelled, JobID(3): .cancelled])
        }
    }

    @Test("map with a timeout throws when an output is late")
    func mapTimeout() async throws {
        try await LocalCluster.with { cluster, _ in
            let error = await #expect(throws: ClusterError.self) {
                for try await _ in cluster.map([1, 2], timeout: .milliseconds(200), { _ in Sleep(.seconds(2)) }) {}
            }
            #expect(error?.code == .timedOut)
        }
    }

    @Test("shutdown with cancel cancels what has not started, waits for what has, and refuses new jobs")
    func shutdownCancels() async throws {
        try await LocalCluster.with(workers: 1, size: 1, configuration: ClusterConfiguration(prefetch: 0)) { cluster, _ in
            let running = try cluster.submit(Sleep(.milliseconds(300)))
            let waiting = try (0..<10).map { _ in try cluster.submit(Sleep(.seconds(5))) }
            await running.erased.waitUntilRunning()
            await cluster.shutdown(wait: true, cancelPending: true)
            #expect(running.state == .finished)
            #expect(waiting.allSatisfy { $0.state == .cancelled })
            let error = #expect(throws: ClusterError.self) { try cluster.submit(NoOp()) }
            #expect(error?.code == .shutDown)
        }
    }

    @Test("shutdown waits for every job")
    func shutdownWaits() async throws {
        try await LocalCluster.with { cluster, _ in
            let futures = try (0..<8).map { _ in try cluster.submit(Sleep(.milliseconds(50))) }
            await cluster.shutdown(wait: true)
            #expect(futures.allSatisfy { $0.state == .finished })
        }
    }
}

/// A cheap prime check whose answer is always true: it checks one of the first six primes.
func NumberJob(_ index: Int) -> PrimeCheck {
    PrimeCheck([2, 3, 5, 7, 11, 13][index % 6], method: .millerRabin)
}
