@testable import FanoutCoordinator
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
            #expect(error?.message.contains("the queue is full: 3 jobs wait") == true)

            let producer = Task { try await cluster.submitWhenRoom(NoOp()) }
            #expect(queued[0].cancel())
            let admitted = try await producer.value
            #expect(admitted.id == JobID(5), "the job refused by submit took no ID")
            #expect(blocker.cancel() == false)
            await cluster.stop(grace: .zero)
        }
    }
}
