import FanoutProtocol

/// The wall clock the worker reports on the wire (pongs, job start times).
struct WallClock: Sendable {
    /// Added to every reading: zero in service; a test sets it to play a worker whose clock is wrong.
    var skewNanoseconds: Int64 = 0

    static let system = WallClock()

    /// Nanoseconds since the Unix epoch, plus the skew.
    func now() -> UInt64 {
        UInt64(clamping: Int128(WireClock.now) + Int128(self.skewNanoseconds))
    }
}
