@testable import FanoutObservability
import Prometheus
import Testing

@Suite("Process metrics")
struct ProcessMetricsTests {
    @Test("the fields of /proc/self/stat are read past a command name that holds spaces and parentheses")
    func statFields() throws {
        let fields = try #require(ProcessMetrics.statFields("42 (a (b) c) S 1 2 3"))
        #expect(fields == ["S", "1", "2", "3"])
        #expect(ProcessMetrics.statFields("garbage") == nil)
    }

    @Test("a refresh reads this process's CPU time, memory, start time and descriptors")
    func refresh() throws {
        let registry = PrometheusCollectorRegistry()
        let metrics = ProcessMetrics(registry: registry)
        metrics.refresh()
        var values: [String: Double] = [:]
        for line in registry.emitToString().split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            values[String(parts[0])] = Double(parts[1])
        }
        #expect(try #require(values["process_resident_memory_bytes"]) > 1_000_000)
        #expect(try #require(values["process_virtual_memory_bytes"]) >= values["process_resident_memory_bytes"]!)
        #expect(try #require(values["process_open_fds"]) >= 3)
        #expect(try #require(values["process_max_fds"]) >= values["process_open_fds"]!)
        let started = try #require(values["process_start_time_seconds"])
        #expect(started > 1_600_000_000, "seconds since the epoch")
        #expect(try #require(values["process_cpu_seconds_total"]) > 0)
    }
}
