#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The coordinator's wall clock, as the wire and the job log count time.
enum WallClock {
    /// Nanoseconds since the Unix epoch.
    static var now: UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
