@testable import FanoutWorker
import FanoutBuiltinJobs
import FanoutProtocol
import FanoutTestSupport
import NIOCore
import Prometheus
import Testing

@Suite("Worker metrics")
struct WorkerMetricsTests {
    @Test("jobs are counted by kind and outcome, and the load gauges read the slots, the queue and the sessions")
    func countsAndLoad() async throws {
        let registry = PrometheusCollectorRegistry()
        try await RunningWorker.with(pool: .threads, size: 1, configure: { $0.metricsFactory = PrometheusMetricsFactory(registry: registry) }) { worker in
            let metrics = try #require(worker.server.metrics)
            try await worker.session { session, _ in
                try await session.send(.submit(Submit.job(NoOp(), id: 1)), .submit(Submit.job(NoOp(), id: 2)))
                _ = try await session.results(2)
                var garbage = Submit.job(Fibonacci(10), id: 3)
                garbage.payload = ByteBuffer(bytes: [0xFF])
                try await session.send(.submit(garbage))
                #expect(try await session.result(for: JobID(3)).outcome.status == .failed)

                try await session.send(.submit(Submit.job(Sleep(.seconds(30)), id: 4)), .submit(Submit.job(NoOp(), id: 5)))
                #expect(try await session.next() == .started(Started(jobID: JobID(4), attempt: 1, slot: 0)))
                let load = try #require(worker.server.load)
                #expect(load == WorkerLoad(slots: 1, busySlots: 1, queuedJobs: 1, sessions: 1))
                metrics.refresh(load)
                try await session.send(.cancel(Cancel(jobID: JobID(5))), .cancel(Cancel(jobID: JobID(4))))
                _ = try await session.results(2)
            }
            let text = registry.emitToString()
            #expect(text.contains(#"fanout_worker_jobs_total{kind="noop",outcome="finished"} 2"#))
            #expect(text.contains(#"fanout_worker_jobs_total{kind="noop",outcome="cancelled"} 1"#))
            #expect(text.contains(#"fanout_worker_jobs_total{kind="fibonacci",outcome="failed"} 1"#))
            #expect(text.contains(#"fanout_worker_jobs_total{kind="sleep",outcome="cancelled"} 1"#))
            #expect(text.contains("fanout_worker_pool_slots 1.0"))
            #expect(text.contains("fanout_worker_pool_slots_busy 1.0"))
            #expect(text.contains("fanout_worker_queue_depth 1.0"))
            #expect(text.contains("fanout_worker_sessions 1.0"))
        }
    }

    @Test("without a metrics factory the worker counts nothing")
    func off() async throws {
        try await RunningWorker.with(pool: .threads, size: 1) { worker in
            #expect(worker.server.metrics == nil)
        }
    }
}
