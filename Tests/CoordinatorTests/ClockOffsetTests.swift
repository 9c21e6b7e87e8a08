@testable import FanoutCoordinator
import FanoutProtocol
import Testing

@Suite("Clock offset")
struct ClockOffsetTests {
    /// A pong from a worker whose clock is `offset` ns ahead, with `outbound` and `inbound` ns on the wire and
    /// `held` ns between receiving the ping and answering it; returns the pong and when it came back.
    static func exchange(at t1: UInt64, offset: Int64, outbound: UInt64, inbound: UInt64, held: UInt64 = 0) -> (Pong, UInt64) {
        let t2 = UInt64(Int64(t1 + outbound) + offset)
        let t3 = t2 + held
        let t4 = t1 + outbound + held + inbound
        return (Pong(pingSentAt: t1, receivedAt: t2, sentAt: t3), t4)
    }

    @Test("a symmetric exchange gives the offset exactly, ahead or behind, and maps worker times back")
    func symmetric() {
        for offset: Int64 in [90_000_000_000, -3_600_000_000_000, 0] {
            var clock = ClockOffset()
            #expect(clock.best == nil)
            #expect(clock.coordinatorTime(ofWorkerTime: 5_000) == 5_000, "unchanged before any pong")
            let (pong, back) = Self.exchange(at: 1_800_000_000_000_000_000, offset: offset, outbound: 40_000, inbound: 40_000, held: 7_000)
            clock.add(pong, receivedBack: back)
            #expect(clock.best?.offsetNanoseconds == offset)
            #expect(clock.best?.roundTripNanoseconds == 80_000)
            let workerTime = UInt64(Int64(1_800_000_000_500_000_000) + offset)
            #expect(clock.coordinatorTime(ofWorkerTime: workerTime) == 1_800_000_000_500_000_000)
        }
    }

    @Test("the fastest exchange of the window wins; a slow, lopsided one does not skew the estimate")
    func fastestWins() {
        var clock = ClockOffset()
        let offset: Int64 = 2_000_000_000
        // Queued on the way back: 5 ms inbound against 50 µs outbound skews this sample by about 2.5 ms.
        let (slow, slowBack) = Self.exchange(at: 1_000_000_000_000, offset: offset, outbound: 50_000, inbound: 5_000_000)
        clock.add(slow, receivedBack: slowBack)
        #expect(clock.best.map { abs($0.offsetNanoseconds - offset) > 2_000_000 } == true)
        let (fast, fastBack) = Self.exchange(at: 1_000_100_000_000, offset: offset, outbound: 50_000, inbound: 60_000)
        clock.add(fast, receivedBack: fastBack)
        #expect(clock.best.map { abs($0.offsetNanoseconds - offset) <= 5_000 } == true)
        #expect(clock.best?.roundTripNanoseconds == 110_000)
    }

    @Test("pongs whose timestamps cannot be right give no sample and trap nothing; mapping saturates")
    func hostilePongs() {
        var clock = ClockOffset()
        clock.add(Pong(pingSentAt: 1_000, receivedAt: 0, sentAt: 1 << 63), receivedBack: 2_000)
        clock.add(Pong(pingSentAt: 1_000, receivedAt: 5_000, sentAt: 4_000), receivedBack: 2_000)
        clock.add(Pong(pingSentAt: 3_000, receivedAt: 3_100, sentAt: 3_200), receivedBack: 2_000)
        clock.add(Pong(pingSentAt: 0, receivedAt: .max, sentAt: .max), receivedBack: 0)
        #expect(clock.best == nil)
        // A worker whose clock is at the end of time: its offset fits, and mapping keeps within range.
        clock.add(Pong(pingSentAt: 1_000, receivedAt: UInt64(Int64.max), sentAt: UInt64(Int64.max)), receivedBack: 1_000)
        let offset = clock.best?.offsetNanoseconds ?? 0
        #expect(offset > Int64.max / 2)
        #expect(clock.coordinatorTime(ofWorkerTime: 5) == 0)
        var behind = ClockOffset()
        behind.add(ClockOffset.Sample(offsetNanoseconds: -10, roundTripNanoseconds: 0))
        #expect(behind.coordinatorTime(ofWorkerTime: .max - 3) == .max)
    }

    @Test("old samples leave the window, so a clock that was stepped is followed")
    func window() {
        var clock = ClockOffset()
        let (fast, fastBack) = Self.exchange(at: 1_000_000_000, offset: 0, outbound: 10_000, inbound: 10_000)
        clock.add(fast, receivedBack: fastBack)
        for index in 0..<ClockOffset.window {
            let (pong, back) = Self.exchange(at: 2_000_000_000 + UInt64(index) * 1_000_000_000, offset: 1_000_000_000, outbound: 30_000, inbound: 30_000)
            clock.add(pong, receivedBack: back)
        }
        #expect(clock.best?.offsetNanoseconds == 1_000_000_000)
    }
}
