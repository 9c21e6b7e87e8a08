#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The wall clock the worker reports on the wire (pongs, job start times).
struct WallClock: Sendable {
    /// Added to every reading: zero in service; a test sets it to play a worker whose clock is wrong.
    var skewNanoseconds: Int64 = 0

    static let system = WallClock()

    /// Nanoseconds since the Unix epoch, plus the skew.
    func now() -> UInt64 {
        let reading = Self.nanosecondsSinceEpoch()
        return UInt64(clamping: Int128(reading) + Int128(self.skewNanoseconds))
    }

    /// The system's wall clock, in nanoseconds since the Unix epoch.
    static func nanosecondsSinceEpoch() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
