@testable import FanoutCoordinator
import FanoutProtocol
import Testing

@Suite("job table")
struct JobTableTests {
    @Test("entries are found by ID, with gaps, out of order and after removal")
    func lookups() {
        var table = JobTable<String>()
        for id: UInt64 in [3, 4, 7, 10] { table[JobID(id)] = "job \(id)" }
        table[JobID(1)] = "job 1"
        #expect(table.count == 5)
        for id: UInt64 in [1, 3, 4, 7, 10] { #expect(table[JobID(id)] == "job \(id)") }
        for id: UInt64 in [0, 2, 5, 6, 8, 9, 11] { #expect(table[JobID(id)] == nil) }
        table[JobID(4)] = "job 4 again"
        #expect(table[JobID(4)] == "job 4 again")
        #expect(table.removeValue(forKey: JobID(3)) == "job 3")
        #expect(table.removeValue(forKey: JobID(3)) == nil)
        table[JobID(99)] = nil
        #expect(table.count == 4)
        #expect(Set(table.values) == ["job 1", "job 4 again", "job 7", "job 10"])
    }

    @Test("the window spans only what is held, and closes up behind a job that stays")
    func windowCloses() {
        var table = JobTable<Int>()
        for id in 1...10_000 { table[JobID(UInt64(id))] = id }
        #expect(table.windowLength == 10_000)
        for id in 2...9_000 { table[JobID(UInt64(id))] = nil }
        // Job 1 stays while 8,999 after it finish: the window must not keep their slots.
        #expect(table.count == 1_001)
        #expect(table.windowLength <= 2 * 1_001)
        #expect(table[JobID(1)] == 1)
        #expect(table[JobID(9_001)] == 9_001)
        table[JobID(1)] = nil
        for id in 9_001...10_000 { table[JobID(UInt64(id))] = nil }
        #expect(table.count == 0)
        #expect(table.windowLength == 0)
        table[JobID(20_000)] = 20_000
        #expect(table.windowLength == 1)
        #expect(table[JobID(20_000)] == 20_000)
    }

    @Test("an ID below the window is kept apart, even once the window has emptied")
    func belowTheWindow() {
        var table = JobTable<Int>()
        for id in 1...3_000 { table[JobID(UInt64(id))] = id }
        for id in 11...3_000 { table[JobID(UInt64(id))] = nil }
        for id in 1...9 { table[JobID(UInt64(id))] = nil }
        #expect(table.count == 1)
        #expect(table[JobID(10)] == 10)
        table[JobID(5)] = 5
        table[JobID(20)] = 20
        #expect(table[JobID(10)] == 10)
        #expect(table[JobID(5)] == 5)
        #expect(table[JobID(20)] == 20)
        #expect(table.count == 3)
        #expect(Set(table.values) == [5, 10, 20])
    }
}
