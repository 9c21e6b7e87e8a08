@testable import FanoutCoordinator
import Testing

@Suite("Worker credit")
struct WorkerCreditTests {
    static func credit(slots: Int = 4) -> WorkerCredit {
        WorkerCredit(slots: slots, minimumPrefetch: 2, maximumPrefetch: 512)
    }

    @Test("before any answer a worker gets its slots and the least prefetch")
    func initial() {
        #expect(Self.credit().limit == 6)
        #expect(Self.credit().prefetch == 2)
    }

    @Test("short jobs next to the round trip deepen the prefetch to slots × return / run")
    func shortJobs() {
        var credit = Self.credit()
        // 10 µs jobs, 200 µs for the rest of the round trip: each slot needs 20 more queued behind it.
        for _ in 0..<50 { credit.observe(runNanoseconds: 10_000, returnNanoseconds: 200_000) }
        #expect(credit.prefetch == 80)
        #expect(credit.limit == 84)
    }

    @Test("no-ops are capped at the most prefetch; long jobs keep the least")
    func bounds() {
        var noop = Self.credit()
        noop.observe(runNanoseconds: 0, returnNanoseconds: 300_000)
        #expect(noop.prefetch == 512)
        var long = Self.credit()
        long.observe(runNanoseconds: 2_000_000_000, returnNanoseconds: 300_000)
        #expect(long.prefetch == 2)
    }

    @Test("the averages follow a change of workload: long jobs after no-ops shrink the prefetch back")
    func follows() {
        var credit = Self.credit(slots: 1)
        for _ in 0..<20 { credit.observe(runNanoseconds: 1_000, returnNanoseconds: 100_000) }
        #expect(credit.prefetch == 100)
        for _ in 0..<60 { credit.observe(runNanoseconds: 50_000_000, returnNanoseconds: 100_000) }
        #expect(credit.prefetch == 2)
    }

    @Test("a worker that turned a job away is never given more than it held; a draining one nothing")
    func ceiling() {
        var credit = Self.credit()
        credit.observe(runNanoseconds: 0, returnNanoseconds: 300_000)
        credit.ceiling = 10
        #expect(credit.limit == 10)
        credit.ceiling = 0
        #expect(credit.limit == 0)
    }
}
