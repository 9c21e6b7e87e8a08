@testable import FanoutCoordinator
import FanoutBuiltinJobs
import FanoutProtocol
import FanoutTestSupport
import NIOCore
import NIOPosix
import Testing

@Suite("Stopping a run early")
struct StopTests {
    /// Starts a run on one worker with one slot: a job of `running` that has started, and two queued behind it;
    /// cancels the run, as Ctrl-C does, and returns how each job ended and how the run ended.
    ///
    /// - Parameter bodyReturns: whether the run's body returns without waiting for its jobs, so that the
    ///   cancellation finds the cluster waiting for them instead of the body.
    private func interruptedRun(
        running: Duration,
        grace: Duration,
        bodyReturns: Bool = false
    ) async throws -> (states: [JobState], errors: [JobError?], run: Result<Void, any Error>) {
        let (started, startedContinuation) = AsyncStream.makeStream(of: [AnyJobFuture].self)
        let configuration = ClusterConfiguration(prefetch: 2, stopGrace: grace)
        let run = Task {
            // The worker, stopped after the run, gives up the abandoned job within a second.
            try await LocalCluster.with(workers: 1, size: 1, configuration: configuration, workerArguments: ["--shutdown-timeout", "1"]) { cluster, _ in
                let futures = try [cluster.submit(Sleep(running)), cluster.submit(Sleep(.seconds(30))), cluster.submit(Sleep(.seconds(30)))]
                await futures[0].erased.waitUntilRunning()
                startedContinuation.yield(futures.map(\.erased))
                if !bodyReturns { try await Task.sleep(for: .seconds(3600)) }
            }
        }
        var iterator = started.makeAsyncIterator()
        let futures = try #require(await iterator.next())
        run.cancel()
        let result = await run.result
        return (futures.map(\.state), futures.map(\.error), result)
    }

    @Test("jobs not started are cancelled; a running job that ends within the grace period keeps its result")
    func runningJobFinishes() async throws {
        // The running job outlasts the moments it takes the cancellation to reach the cluster, even on a busy
        // machine, so the queued ones are still queued then.
        let (states, errors, run) = try await self.interruptedRun(running: .seconds(2), grace: .seconds(30))
        #expect(states == [.finished, .cancelled, .cancelled])
        #expect(errors[1]?.reason == .cancelled)
        #expect(throws: CancellationError.self) { try run.get() }
    }

    @Test("a job still running when the grace period ends fails as interrupted, and the run ends")
    func runningJobAbandoned() async throws {
        let (states, errors, run) = try await self.interruptedRun(running: .seconds(30), grace: .milliseconds(200))
        #expect(states == [.failed, .cancelled, .cancelled])
        #expect(errors[0]?.reason == .interrupted(grace: .milliseconds(200)))
        #expect(throws: CancellationError.self) { try run.get() }
    }

    @Test("cancelled while waiting for the jobs its body left running, a run stops them as any interruption does")
    func cancelledAfterBody() async throws {
        let (states, errors, run) = try await self.interruptedRun(running: .seconds(30), grace: .milliseconds(200), bodyReturns: true)
        #expect(states == [.failed, .cancelled, .cancelled])
        #expect(errors[0]?.reason == .interrupted(grace: .milliseconds(200)))
        #expect(throws: CancellationError.self) { try run.get() }
    }

    @Test(
        "stopping while a worker is still being dialled closes that connection instead of waiting out its timeout",
        .timeLimit(.minutes(1))
    )
    func stopWhileDialling() async throws {
        let directory = try TemporaryDirectory()
        let certificates = CertificateDirectory(path: directory.file("cluster"))
        try certificates.initialize(hosts: [WorkerHost("127.0.0.1")!])
        // A peer that takes the connection and never answers the TLS handshake.
        let (accepted, accept) = AsyncStream.makeStream(of: Void.self)
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                accept.yield()
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        let address = WorkerAddress(host: WorkerHost("127.0.0.1")!, port: try #require(silent.localAddress?.port))
        let run = Task {
            try await Cluster.withCluster(
                workers: [address],
                tls: certificates.coordinatorFiles,
                // Past the time limit, so that waiting it out fails the test.
                configuration: ClusterConfiguration(connectTimeout: .seconds(90)),
                logger: testLogger
            ) { _ in }
        }
        var connections = accepted.makeAsyncIterator()
        await connections.next()
        run.cancel()
        await #expect(throws: CancellationError.self) { try await run.value }
    }
}
