@testable import FanoutCoordinator
import FanoutBuiltinJobs
import FanoutProtocol
import Foundation
import Testing

@Suite("Chrome trace")
struct ChromeTraceTests {
    @Test("each worker a named process, each slot a named thread, each job one complete event at its time, unrun jobs apart")
    func fixedRecords() throws {
        let trace = ChromeTrace()
        let records = [
            TimelineTests.record(1, worker: "10.0.0.1:7420", slot: 0, start: 0, run: 1),
            TimelineTests.record(2, worker: "10.0.0.1:7420", slot: 1, start: 0.5, run: 2),
            TimelineTests.record(3, worker: "10.0.0.2:7420", slot: 0, start: 1, run: 1, state: .failed),
            TimelineTests.record(4, worker: "10.0.0.1:7420", slot: 0, start: 1.5, run: 0.5, attempts: 2),
            TimelineTests.record(5, worker: nil, slot: nil, start: nil, run: 0, state: .cancelled),
        ]
        records.forEach(trace.jobDone)
        let document = try #require(try JSONSerialization.jsonObject(with: trace.json()) as? [String: Any])
        let events = try #require(document["traceEvents"] as? [[String: Any]])

        let metadata = events.filter { $0["ph"] as? String == "M" }
        func name(_ event: [String: Any]) -> String? { (event["args"] as? [String: Any])?["name"] as? String }
        let processes = Dictionary(
            uniqueKeysWithValues: metadata.filter { $0["name"] as? String == "process_name" }.map { ($0["pid"] as! Int, name($0)!) }
        )
        #expect(Set(processes.values) == ["10.0.0.1:7420", "10.0.0.2:7420", "not run"])
        let threads = metadata.filter { $0["name"] as? String == "thread_name" }.map { "\(processes[$0["pid"] as! Int]!) \(name($0)!)" }
        #expect(threads.sorted() == ["10.0.0.1:7420 slot 0", "10.0.0.1:7420 slot 1", "10.0.0.2:7420 slot 0"])

        let jobs = events.filter { $0["ph"] as? String == "X" }
        #expect(jobs.count == records.count)
        let byJob = Dictionary(uniqueKeysWithValues: jobs.map { (($0["args"] as! [String: Any])["id"] as! Int, $0) })
        #expect(Set(byJob.keys) == [1, 2, 3, 4, 5])
        func args(_ job: Int) -> [String: Any] { byJob[job]!["args"] as! [String: Any] }

        let second = byJob[2]!
        #expect(processes[second["pid"] as! Int] == "10.0.0.1:7420")
        #expect(args(2)["slot"] as? Int == 1 && second["tid"] as? Int == 2)
        #expect(Self.number(second["ts"]) == 500_000, "microseconds from the first submit")
        #expect(Self.number(second["dur"]) == 2_000_000)
        #expect(args(2)["kind"] as? String == "\(Fibonacci.kind)" && args(2)["input"] as? String == "20")
        #expect(Self.number(args(2)["queue_us"]) == 0)
        #expect(args(3)["state"] as? String == "failed" && (args(3)["error"] as? String)?.hasPrefix("boom") == true)
        #expect(args(4)["attempt"] as? Int == 2)
        #expect(processes[byJob[5]!["pid"] as! Int] == "not run" && args(5)["slot"] == nil)
    }

    /// A JSON number as a `Double`, however it was written.
    static func number(_ value: Any?) -> Double? {
        (value as? NSNumber)?.doubleValue
    }

    @Test("a run with no jobs is an empty trace")
    func empty() throws {
        let document = try #require(try JSONSerialization.jsonObject(with: ChromeTrace().json()) as? [String: Any])
        #expect((document["traceEvents"] as? [Any])?.isEmpty == true)
    }
}
