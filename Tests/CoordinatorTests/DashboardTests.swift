@testable import FanoutCoordinator
import FanoutBuiltinJobs
import FanoutDashboard
import FanoutObservability
import FanoutProtocol
import Foundation
import Testing

@Suite("Dashboard")
struct DashboardTests {
    /// One update as the page reads it.
    struct Update: Decodable {
        var ended: Bool
        var totals: Totals
        var workers: [Worker]
        var bars: [Bar]

        struct Totals: Decodable {
            var submitted: Int
            var finished: Int
        }

        struct Worker: Decodable {
            var address: String
            var state: String
            var slots: Int?
        }

        struct Bar: Decodable {
            var sequence: UInt64
            var job: UInt64
            var worker: String
            var slot: Int
        }
    }

    @Test("a page's stream gets the run at once, each job once as it ends, and the final state when the dashboard closes")
    func stream() async throws {
        let dashboard = try await Dashboard.start(page: HTTPListenAddress(port: 0), logger: StatusServerTests.logger)
        let address = try #require(dashboard.pageAddress)
        let client = HTTPTestClient(port: address.port)
        let page = try await client.request("/")
        #expect(page.body.contains("<title>Fanout run</title>") && page.body.contains("EventSource(\"events\")"))
        let monitor = dashboard.monitor
        monitor.jobSubmitted(AnyJobFuture.make(id: JobID(1), kind: Fibonacci.kind))
        monitor.jobSubmitted(AnyJobFuture.make(id: JobID(2), kind: Fibonacci.kind))
        let opened = Task { await dashboard.pageOpened() }
        try await client.withResponse("/events") { head, parts in
            #expect(head.status == .ok)
            await opened.value
            var buffered = ""
            let decoder = JSONDecoder()
            func next() async throws -> Update? {
                guard let data = try await parts.nextEvent(buffered: &buffered) else { return nil }
                return try decoder.decode(Update.self, from: Data(data.utf8))
            }
            let first = try #require(try await next())
            #expect(first.totals.submitted == 2 && first.totals.finished == 0 && !first.ended)
            monitor.jobDone(TimelineTests.record(1, worker: "10.0.0.1:7420", slot: 1, start: 0, run: 0.1))
            var seen: [UInt64] = []
            while seen.isEmpty, let update = try await next() {
                seen += update.bars.map(\.sequence)
            }
            #expect(seen == [0])
            monitor.jobDone(TimelineTests.record(2, worker: "10.0.0.1:7420", slot: 0, start: 0, run: 0.1))
            monitor.clusterStopped(ReliabilityCounts())
            async let closed: Void = dashboard.close()
            async let closedAgain: Void = dashboard.close()
            var last: Update?
            while let update = try await next() {
                seen += update.bars.map(\.sequence)
                last = update
            }
            await closed
            await closedAgain
            #expect(seen == [0, 1], "each bar once")
            #expect(last?.ended == true && last?.totals.finished == 2, "the final state, then the stream's end")
        }
    }

    @Test("with --metrics-listen alone there is no page, and /metrics counts the run")
    func metricsOnly() async throws {
        let dashboard = try await Dashboard.start(page: nil, metrics: HTTPListenAddress(port: 0), logger: StatusServerTests.logger)
        #expect(dashboard.pageAddress == nil)
        let client = HTTPTestClient(port: try #require(dashboard.metricsAddress).port)
        for observer in dashboard.observers { observer.jobSubmitted(AnyJobFuture.make(id: JobID(1), kind: Fibonacci.kind)) }
        #expect(try await client.request("/").head.status == .notFound)
        let metrics = try await client.request("/metrics").body
        #expect(metrics.contains(#"fanout_jobs_submitted_total{kind="fibonacci"} 1"#))
        #expect(metrics.contains("process_cpu_seconds_total"))
        await dashboard.close()
    }

    @Test("on a real cluster the page lists every worker with its slots, closed once the run is over, and a bar per job in the slot that ran it")
    func realCluster() async throws {
        let dashboard = try await Dashboard.start(page: HTTPListenAddress(port: 0), logger: StatusServerTests.logger)
        var configuration = ClusterConfiguration()
        configuration.observers = dashboard.observers
        let client = HTTPTestClient(port: try #require(dashboard.pageAddress).port)
        let (workers, slots): ([String], [UInt64: Int]) = try await LocalCluster.with(workers: 2, size: 2, configuration: configuration) { cluster, local in
            dashboard.attach(cluster)
            let futures = try (0..<8).map { _ in try cluster.submit(Fibonacci(15)) }
            var slots: [UInt64: Int] = [:]
            for future in futures {
                _ = try await future.value
                slots[future.id.rawValue] = future.timing?.slot
            }
            return (local.addresses.map(\.description), slots)
        }
        // The run is over; its final state, as a page that opens now sees it.
        try await client.withResponse("/events") { _, parts in
            var buffered = ""
            var bars: [Update.Bar] = []
            var update: Update?
            while bars.count < 8, let data = try await parts.nextEvent(buffered: &buffered) {
                update = try JSONDecoder().decode(Update.self, from: Data(data.utf8))
                bars += update?.bars ?? []
            }
            #expect(Set(update?.workers.map(\.address) ?? []) == Set(workers))
            #expect(update?.workers.allSatisfy { $0.slots == 2 && $0.state == "closed" } == true)
            #expect(update?.ended == true && update?.totals.finished == 8)
            #expect(bars.count == 8 && Set(bars.map(\.worker)).isSubset(of: Set(workers)))
            for bar in bars {
                #expect(slots[bar.job] == bar.slot, "job \(bar.job)'s bar is in the slot that ran it")
            }
        }
        await dashboard.close()
    }
}
