import FanoutLocking
import Prometheus

#if canImport(Glibc)
import Glibc
#endif

/// The standard process metrics of Prometheus's client libraries (`process_cpu_seconds_total`,
/// `process_resident_memory_bytes` and the rest), read from `/proc/self` at each scrape.
public struct ProcessMetrics: Sendable {
    private let cpu: Counter
    private let resident: Gauge
    private let virtual: Gauge
    private let started: Gauge
    private let openFiles: Gauge
    private let maximumFiles: Gauge
    /// CPU seconds already counted, as ticks, so that each scrape adds what the process used since.
    private let countedTicks = CountedTicks()

    public init(registry: PrometheusCollectorRegistry) {
        self.cpu = registry.makeCounter(name: "process_cpu_seconds_total", help: "User and system CPU time spent, in seconds.")
        self.resident = registry.makeGauge(name: "process_resident_memory_bytes", help: "Resident memory size in bytes.")
        self.virtual = registry.makeGauge(name: "process_virtual_memory_bytes", help: "Virtual memory size in bytes.")
        self.started = registry.makeGauge(name: "process_start_time_seconds", help: "Start time of the process since the Unix epoch, in seconds.")
        self.openFiles = registry.makeGauge(name: "process_open_fds", help: "Number of open file descriptors.")
        self.maximumFiles = registry.makeGauge(name: "process_max_fds", help: "Maximum number of open file descriptors.")
    }

    /// Reads the figures anew; a figure `/proc` does not give keeps its last value.
    public func refresh() {
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        if let stat = Self.read("/proc/self/stat"), let fields = Self.statFields(stat), fields.count > 21 {
            // Fields after the command's closing parenthesis, from the third (state): utime is the 14th field.
            let utime = Int(fields[11]) ?? 0
            let stime = Int(fields[12]) ?? 0
            let delta = self.countedTicks.advance(to: utime + stime)
            if delta > 0 { self.cpu.increment(by: Double(delta) / ticksPerSecond) }
            if let vsize = Double(fields[20]) { self.virtual.set(vsize) }
            if let rss = Double(fields[21]) { self.resident.set(rss * Double(sysconf(Int32(_SC_PAGESIZE)))) }
            if let startTicks = Double(fields[19]), let boot = Self.bootTime() {
                self.started.set(boot + startTicks / ticksPerSecond)
            }
        }
        if let open = Self.openDescriptors() { self.openFiles.set(Double(open)) }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { self.maximumFiles.set(Double(limit.rlim_cur)) }
    }

    /// The fields of `/proc/self/stat` after the command name, which may itself hold spaces and parentheses.
    static func statFields(_ stat: String) -> [Substring]? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ")
    }

    private static func bootTime() -> Double? {
        guard let stat = Self.read("/proc/stat") else { return nil }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6))
        }
        return nil
    }

    private static func openDescriptors() -> Int? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            if entry.pointee.d_name.0 != UInt8(ascii: ".") { count += 1 }
        }
        return count - 1  // the descriptor reading the folder
    }

    /// A small file of `/proc`, read with plain reads.
    private static func read(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The CPU ticks already added to the counter, shared by concurrent scrapes.
private final class CountedTicks: Sendable {
    private let ticks = Locked(0)

    /// Moves to `total` and returns how far that is, or 0 when another scrape got there first.
    func advance(to total: Int) -> Int {
        self.ticks.withLock { ticks in
            defer { ticks = max(ticks, total) }
            return max(0, total - ticks)
        }
    }
}
