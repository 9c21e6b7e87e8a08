@testable import FanoutCoordinator
import FanoutBuiltinJobs
import FanoutDashboard
import FanoutObservability
import FanoutProtocol
import Prometheus
import Testing

@Suite("Cluster metrics")
struct ClusterMetricsTests {
    @Test("jobs by kind and outcome, their durations, and at each refresh the queue, the slots, the heartbeats and new retries")
    func counts() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["fanout_job_duration_seconds"] = ClusterMetrics.durationBuckets
        let metrics = ClusterMetrics(factory: factory)
        for id in UInt64(1)...3 { metrics.jobSubmitted(AnyJobFuture.make(id: JobID(id), kind: Fibonacci.kind)) }
        metrics.jobDone(TimelineTests.record(1, worker: "10.0.0.1:7420", slot: 0, start: 0, run: 0.002))
        metrics.jobDone(TimelineTests.record(2, worker: "10.0.0.1:7420", slot: 0, start: 0, run: 2))
        metrics.jobDone(TimelineTests.record(3, worker: "10.0.0.1:7420", slot: 0, start: 0, run: 0.5, state: .failed))
        let address = WorkerAddress(host: .ipv4([10, 0, 0, 1]), port: 7420)
        let worker = RunMonitorTests.connected(address, slots: 4)
        metrics.workerConnected(worker, again: false)
        metrics.workerConnected(worker, again: true)
        var reliability = ReliabilityCounts()
        reliability.jobsRetried = 2
        let status = ClusterStatus(
            workers: [WorkerStatus(address: address, connection: .ready, worker: worker, jobsHeld: 4, jobsRunning: 3, roundTrip: .milliseconds(2))],
            jobsQueued: 5
        )
        metrics.refresh(status: status, reliability: reliability)
        reliability.jobsRetried = 3
        metrics.refresh(status: status, reliability: reliability)

        let lines = Set(registry.emitToString().split(separator: "\n").map(String.init))
        for expected in [
            #"fanout_jobs_submitted_total{kind="fibonacci"} 3"#,
            #"fanout_jobs_finished_total{kind="fibonacci",outcome="finished"} 2"#,
            #"fanout_jobs_finished_total{kind="fibonacci",outcome="failed"} 1"#,
            #"fanout_job_duration_seconds_count{kind="fibonacci"} 3"#,
            #"fanout_job_duration_seconds_bucket{kind="fibonacci",le="0.005"} 1"#,
            #"fanout_job_duration_seconds_bucket{kind="fibonacci",le="1.0"} 2"#,
            #"fanout_job_duration_seconds_bucket{kind="fibonacci",le="5.0"} 3"#,
            "fanout_jobs_pending 6.0",
            "fanout_jobs_running 3.0",
            #"fanout_worker_slots{worker="10.0.0.1:7420",state="busy"} 3.0"#,
            #"fanout_worker_slots{worker="10.0.0.1:7420",state="idle"} 1.0"#,
            #"fanout_worker_rtt_seconds{worker="10.0.0.1:7420"} 0.002"#,
            #"fanout_worker_reconnects_total{worker="10.0.0.1:7420"} 1"#,
            "fanout_job_retries_total 3",
        ] {
            #expect(lines.contains(expected), "\(expected)")
        }
    }

    @Test("a worker the cluster no longer lists has its slots set to none")
    func workerGone() {
        let registry = PrometheusCollectorRegistry()
        let metrics = ClusterMetrics(factory: PrometheusMetricsFactory(registry: registry))
        let address = WorkerAddress(host: .ipv4([10, 0, 0, 1]), port: 7420)
        let worker = RunMonitorTests.connected(address, slots: 4)
        metrics.refresh(status: ClusterStatus(workers: [WorkerStatus(address: address, connection: .ready, worker: worker, jobsRunning: 3)]), reliability: ReliabilityCounts())
        metrics.refresh(status: ClusterStatus(), reliability: ReliabilityCounts())
        let lines = Set(registry.emitToString().split(separator: "\n").map(String.init))
        #expect(lines.contains(#"fanout_worker_slots{worker="10.0.0.1:7420",state="busy"} 0.0"#))
        #expect(lines.contains(#"fanout_worker_slots{worker="10.0.0.1:7420",state="idle"} 0.0"#))
    }
}
