@testable import FanoutCoordinator
import FanoutBuiltinJobs
import FanoutProtocol
import Testing

@Suite("Bounded queue")
struct BoundedQueueTests {
    @Test("past the queue limit submit throws and submitWhenRoom waits until a job leaves the queue")
    func producerSlowed() async throws {
        let configuration = ClusterConfiguration(prefetch: 0, maximumPrefetch: 0, queueLimit: 3)
        try await LocalCluster.with(workers: 1, size: 1, configuration: configuration, workerArguments: ["--shutdown-timeout", "1"]) { cluster, _ in
            let blocker = try cluster.submit(Sleep(.seconds(30)))
            await blocker.erased.waitUntilRunning()
            let queued = try (0..<3).map { _ in try cluster.submit(NoOp()) }
            let error = #expect(throws: ClusterError.self) { try cluster.submit(NoOp()) }
            #expect(error?.code == .queueFull)
            #expect(error?.message.contains("the queue is full: 3 jobs wait") == true)

            let producer = Task { try await cluster.submitWhenRoom(NoOp()) }
            #expect(queued[0].cancel())
            let admitted = try await producer.value
            #expect(admitted.id == JobID(5), "the job refused by submit took no ID")
            #expect(blocker.cancel() == false)
            await cluster.stop(grace: .zero)
        }
    }

    @Test("a waiting producer is let in when a queued job is sent to a worker, not when that job starts")
    func producerWokenByDispatch() async throws {
        // One slot and one job prefetched: the worker holds at most two, and the queue at most one more.
        let configuration = ClusterConfiguration(prefetch: 1, maximumPrefetch: 1, queueLimit: 1)
        try await LocalCluster.with(workers: 1, size: 1, configuration: configuration, workerArguments: ["--shutdown-timeout", "1"]) { cluster, _ in
            // Lasts long enough for the rest to be set up behind it; it ending frees room at the worker.
            let first = try cluster.submit(Sleep(.seconds(5)))
            _ = try cluster.submit(Sleep(.seconds(30)))  // Prefetched: it waits at the worker for the slot.
            await first.erased.waitUntilRunning()
            let queued = try cluster.submit(NoOp())
            #expect(throws: ClusterError.self) { try cluster.submit(NoOp()) }

            let admitted = try await cluster.submitWhenRoom(NoOp())
            // `queued` left the queue for the worker, where it waits behind the 30 s job for the only slot.
            #expect(queued.state == .pending)
            #expect(admitted.id == JobID(4), "the job refused by submit took no ID")
            await cluster.stop(grace: .zero)
        }
    }
}
