@testable import FanoutDashboard
import Foundation
import Testing

@Suite("Dashboard JSON")
struct DashboardJSONTests {
    @Test("an update is JSON that reads back: strings escaped, missing and non-finite numbers null")
    func readsBack() throws {
        let awkward = "quote \" backslash \\ newline \n tab \t bell \u{07} nul \u{0} é 🧵 </script>"
        var totals = DashboardUpdate.Totals()
        totals.submitted = 3
        let update = DashboardUpdate(
            now: 12.5,
            ended: true,
            totals: totals,
            kinds: [DashboardUpdate.KindProgress(kind: awkward, submitted: 3, finished: 1, failed: 1, cancelled: 0, rate: .infinity, secondsLeft: nil)],
            workers: [
                DashboardUpdate.WorkerPanel(
                    address: "[::1]:7420", hostName: nil, pool: "threads", slots: 4, busy: 1, held: 2, finished: 1, failed: 1,
                    roundTripMilliseconds: 0.125, clockOffsetMilliseconds: -3, state: "ready"
                )
            ],
            bars: [
                DashboardUpdate.Bar(
                    sequence: UInt64.max, worker: "[::1]:7420", slot: 0, kind: "k", job: 7, input: awkward, start: -1.5, end: 2, state: "failed",
                    retried: true
                )
            ],
            barsSkipped: 9,
            failures: [DashboardUpdate.Failure(at: 1, what: "k 1", worker: nil, reason: awkward)]
        )
        let json = update.json
        #expect(!json.contains("\n"), "one line, as an event's data")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["now"] as? Double == 12.5 && object["ended"] as? Bool == true && object["barsSkipped"] as? Int == 9)
        #expect((object["totals"] as? [String: Any])?["submitted"] as? Int == 3)
        let kind = try #require((object["kinds"] as? [[String: Any]])?.first)
        #expect(kind["kind"] as? String == awkward)
        #expect(kind["rate"] is NSNull && kind["secondsLeft"] is NSNull)
        let worker = try #require((object["workers"] as? [[String: Any]])?.first)
        #expect(worker["hostName"] is NSNull && worker["roundTripMilliseconds"] as? Double == 0.125 && worker["slots"] as? Int == 4)
        let bar = try #require((object["bars"] as? [[String: Any]])?.first)
        #expect(bar["input"] as? String == awkward && bar["retried"] as? Bool == true && bar["start"] as? Double == -1.5)
        #expect((bar["sequence"] as? NSNumber)?.uint64Value == UInt64.max)
        let failure = try #require((object["failures"] as? [[String: Any]])?.first)
        #expect(failure["reason"] as? String == awkward && failure["worker"] is NSNull)
    }
}
