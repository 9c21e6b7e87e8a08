@testable import FanoutCoordinator
import FanoutBuiltinJobs
import FanoutProtocol
import Testing

/// CPython's test_concurrent_futures FutureTests, against real workers.
@Suite("Futures")
struct FutureTests {
    @Test("a finished future has its value, state finished, and cannot be cancelled")
    func finished() async throws {
        try await LocalCluster.with { cluster, _ in
            let future = try cluster.submit(PrimeCheck(97))
            #expect(try await future.value == true)
            #expect(future.state == .finished)
            #expect(future.isDone)
            #expect(future.cancel() == false)
            #expect(future.state == .finished)
            #expect(future.worker?.hasPrefix("127.0.0.1:") == true)
            #expect(future.error == nil)
        }
    }

    @Test("a failed future throws an error naming the job, the worker and the reason")
    func failed() async throws {
        try await LocalCluster.with { cluster, _ in
            let future = try cluster.submit(FlagDownload(country: "Nowhere", url: "ftp://example.invalid/flag.svg"))
            let error = try await #require(throws: JobError.self) { try await future.value }
            #expect(future.state == .failed)
            #expect(error.job == future.id)
            #expect(error.kind == FlagDownload.kind)
            #expect(error.worker == future.worker)
            guard case .failed(let failure) = error.reason else {
                Issue.record("expected a worker failure, got \(error.reason)")
                return
            }
            #expect(failure.code == .invalidJob)
            #expect(error.description.contains("\(future.id)"))
            #expect(error.description.contains(future.worker ?? "?"))
            #expect(future.error == error)
        }
    }

    @Test("a pending future cancels; a running one does not; cancelling twice still says cancelled")
    func cancel() async throws {
        try await LocalCluster.with(workers: 1, size: 1, configuration: ClusterConfiguration(prefetch: 0)) { cluster, _ in
            // Long enough to still run when the test looks, however loaded the machine.
            let running = try cluster.submit(Sleep(.seconds(3)))
            let pending = try cluster.submit(NoOp())
            await running.erased.waitUntilRunning()
            #expect(running.state == .running)
            #expect(pending.state == .pending)
            #expect(pending.cancel())
            #expect(pending.state == .cancelled)
            #expect(pending.cancel())
            #expect(running.cancel() == false)
            let error = try await #require(throws: JobError.self) { try await pending.value }
            #expect(error.reason == .cancelled)
            try await running.value
            #expect(running.state == .finished)
        }
    }

    @Test("a job sent to a worker but not started there can still be cancelled")
    func cancelQueuedOnWorker() async throws {
        // With prefetch the second job waits in the worker's own queue, not the coordinator's.
        try await LocalCluster.with(workers: 1, size: 1, configuration: ClusterConfiguration(prefetch: 2)) { cluster, _ in
            // Long enough to still run when the cancel arrives, however loaded the machine.
            let running = try cluster.submit(Sleep(.seconds(3)))
            let queuedThere = try cluster.submit(Fibonacci(20))
            await running.erased.waitUntilRunning()
            #expect(queuedThere.erased.attempts == 1, "the second job was sent to the worker")
            #expect(queuedThere.cancel())
            try await running.value
            let after = try cluster.submit(Fibonacci(10))
            #expect(try await after.value == 55)
            #expect(queuedThere.state == .cancelled)
        }
    }

    @Test("the description says the job, its kind and its state")
    func description() async throws {
        try await LocalCluster.with { cluster, _ in
            let future = try cluster.submit(Fibonacci(15))
            _ = try await future.value
            #expect(future.description.contains("fibonacci"))
            #expect(future.description.contains("state=finished"))
        }
    }

    @Test("jobs of different kinds mix in one run, each with its own output type")
    func mixedKinds() async throws {
        try await LocalCluster.with { cluster, _ in
            let prime = try cluster.submit(PrimeCheck(7919, method: .millerRabin))
            let fib = try cluster.submit(Fibonacci(25))
            let nap = try cluster.submit(Sleep(.milliseconds(10)))
            let nothing = try cluster.submit(NoOp())
            let isPrime: Bool = try await prime.value
            let number: UInt64 = try await fib.value
            try await nap.value
            try await nothing.value
            #expect(isPrime)
            #expect(number == 75_025)
        }
    }
}
