@testable import FanoutCoordinator
import FanoutBuiltinJobs
import FanoutProtocol
import Testing

/// CPython's test_concurrent_futures WaitTests and AsCompletedTests, against real workers.
@Suite("wait and asCompleted")
struct WaitTests {
    static func failing(_ cluster: Cluster) throws -> AnyJobFuture {
        try cluster.submit(FlagDownload(country: "X", url: "not a url")).erased
    }

    @Test("first-completed returns once one is done, leaving the slow one")
    func firstCompleted() async throws {
        try await LocalCluster.with { cluster, _ in
            let slow = try cluster.submit(Sleep(.seconds(2))).erased
            let fast = try cluster.submit(NoOp()).erased
            let result = await cluster.wait([slow, fast], returnWhen: .firstCompleted)
            #expect(result.done == [fast])
            #expect(result.notDone == [slow])
            slow.cancel()
        }
    }

    @Test("first-completed with some already done returns them at once")
    func firstCompletedSomeDone() async throws {
        try await LocalCluster.with { cluster, _ in
            let finished = try cluster.submit(NoOp()).erased
            await finished.waitUntilDone()
            let slow = try cluster.submit(Sleep(.seconds(2))).erased
            let result = await cluster.wait([finished, slow], returnWhen: .firstCompleted)
            #expect(result.done == [finished])
            #expect(result.notDone == [slow])
        }
    }

    @Test("first-exception returns when one fails, with the finished ones done and the slow one not")
    func firstException() async throws {
        try await LocalCluster.with { cluster, _ in
            let fast = try cluster.submit(NoOp()).erased
            await fast.waitUntilDone()
            let failing = try Self.failing(cluster)
            let slow = try cluster.submit(Sleep(.seconds(2))).erased
            let result = await cluster.wait([fast, failing, slow], returnWhen: .firstException)
            #expect(result.done == [fast, failing])
            #expect(result.notDone == [slow])
        }
    }

    @Test("first-exception with no failure waits for all; a cancelled future is not an exception")
    func firstExceptionNone() async throws {
        try await LocalCluster.with(workers: 1, size: 1, configuration: ClusterConfiguration(prefetch: 0)) { cluster, _ in
            let running = try cluster.submit(Sleep(.milliseconds(200))).erased
            let cancelled = try cluster.submit(NoOp()).erased
            #expect(cancelled.cancel())
            let other = try cluster.submit(NoOp()).erased
            let result = await cluster.wait([running, cancelled, other], returnWhen: .firstException)
            #expect(result.done == [running, cancelled, other])
            #expect(result.notDone.isEmpty)
        }
    }

    @Test("first-exception with one already failed returns at once")
    func firstExceptionAlreadyFailed() async throws {
        try await LocalCluster.with { cluster, _ in
            let failing = try Self.failing(cluster)
            await failing.waitUntilDone()
            let slow = try cluster.submit(Sleep(.seconds(2))).erased
            let result = await cluster.wait([failing, slow], returnWhen: .firstException)
            #expect(result.done == [failing])
            #expect(result.notDone == [slow])
        }
    }

    @Test("all-completed returns every future done, failures included")
    func allCompleted() async throws {
        try await LocalCluster.with { cluster, _ in
            let futures = try (0..<6).map { try cluster.submit(Fibonacci(UInt32(10 + $0))).erased } + [try Self.failing(cluster)]
            let result = await cluster.wait(futures)
            #expect(result.done == Set(futures))
            #expect(result.notDone.isEmpty)
        }
    }

    @Test("a timeout returns what is done by then")
    func timeout() async throws {
        try await LocalCluster.with { cluster, _ in
            let finished = try cluster.submit(NoOp()).erased
            await finished.waitUntilDone()
            let slow = try cluster.submit(Sleep(.seconds(3))).erased
            let result = await cluster.wait([finished, slow], timeout: .milliseconds(200))
            #expect(result.done == [finished])
            #expect(result.notDone == [slow])
            slow.cancel()
        }
    }

    @Test("typed futures keep their type through wait")
    func typedWait() async throws {
        try await LocalCluster.with { cluster, _ in
            let futures = try [10, 11, 12].map { try cluster.submit(Fibonacci($0)) }
            let result = await cluster.wait(futures)
            #expect(result.done == Set(futures))
            #expect(try await futures[2].value == 144)
        }
    }

    @Test("asCompleted yields every future once, in the order they complete")
    func asCompletedOrder() async throws {
        try await LocalCluster.with(workers: 2, size: 4) { cluster, _ in
            // Far apart, so that a loaded machine keeps their order.
            let slow = try cluster.submit(Sleep(.seconds(4)))
            let medium = try cluster.submit(Sleep(.seconds(2)))
            let fast = try cluster.submit(Sleep(.milliseconds(10)))
            var order: [JobFuture<Void>] = []
            for try await future in cluster.asCompleted([slow, fast, medium, fast]) {
                #expect(future.isDone)
                order.append(future)
            }
            #expect(order == [fast, medium, slow])
        }
    }

    @Test("asCompleted yields those already done first")
    func asCompletedAlreadyDone() async throws {
        try await LocalCluster.with { cluster, _ in
            let done = try cluster.submit(NoOp())
            try await done.value
            let later = try cluster.submit(Sleep(.milliseconds(100)))
            var order: [JobFuture<Void>] = []
            for try await future in cluster.asCompleted([later, done]) {
                order.append(future)
            }
            #expect(order == [done, later])
        }
    }

    @Test("asCompleted with a timeout yields what finishes in time, then throws")
    func asCompletedTimeout() async throws {
        try await LocalCluster.with { cluster, _ in
            let done = try cluster.submit(NoOp())
            try await done.value
            let slow = try cluster.submit(Sleep(.seconds(3)))
            var yielded: [JobFuture<Void>] = []
            let error = await #expect(throws: ClusterError.self) {
                for try await future in cluster.asCompleted([done, slow], timeout: .milliseconds(200)) {
                    yielded.append(future)
                }
            }
            #expect(yielded == [done])
            #expect(error?.code == .timedOut)
            #expect(error?.message.hasPrefix("1 futures were not done") == true, "\(String(describing: error))")
            slow.cancel()
        }
    }
}
