#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// What tests of commands ask of the processes those commands start.
public enum ProcessProbe {
    /// Everything written to the file or FIFO at `path`, read with plain reads: a FIFO's open waits for a writer,
    /// and its reads for the writer to close, which is how a test waits for a command to have started.
    public static func readAll(_ path: String) -> String {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 512)
        while true {
            let count = read(fd, &chunk, chunk.count)
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A FIFO made in `folder`, for a command to tell the test its process ids.
    public static func fifo(in folder: borrowing TemporaryDirectory) throws -> String {
        let path = folder.file("pids")
        guard mkfifo(path, 0o600) == 0 else { throw FIFOError(path: path, reason: String(cString: strerror(errno))) }
        return path
    }

    public struct FIFOError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot make the FIFO \(self.path): \(self.reason)" }
    }

    /// A shell line whose shell starts `background` behind it, writes its own process id and the background
    /// one's to `fifo`, and waits: a process group of two, known to the test once ``processIDs(from:)`` returns.
    public static func groupOfTwo(writingTo fifo: String, background: String = "sleep 300") -> String {
        "\(background) & echo $$ $! > \(fifo); wait"
    }

    /// The process ids a command wrote to the FIFO at `path`, separated by white space; waits for it to write.
    /// The open and the reads block, so they run on a thread of their own: on the concurrency pool they could take
    /// every one of its threads and starve a worker running in the test's own process.
    public static func processIDs(from path: String) async -> [pid_t] {
        let text = await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: Self.readAll(path)) }
        }
        return text.split(whereSeparator: \.isWhitespace).compactMap { pid_t($0) }
    }

    /// Writes `text` to the FIFO at `path` and closes it; waits, on a thread of its own, for a reader to open it.
    public static func write(_ text: String, to path: String) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                let fd = open(path, O_WRONLY)
                if fd >= 0 {
                    let bytes = Array(text.utf8)
                    _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                    close(fd)
                }
                continuation.resume()
            }
        }
    }

    /// Whether `pid` has exited: gone, or a zombie. Reads /proc with plain reads, since Foundation's file reading
    /// leaks its buffer when a read fails because the process died while it read.
    public static func hasExited(_ pid: pid_t) -> Bool {
        let stat = readAll("/proc/\(pid)/stat")
        guard let close = stat.lastIndex(of: ")"), stat.distance(from: close, to: stat.endIndex) > 2 else { return true }
        return stat[stat.index(close, offsetBy: 2)] == "Z"
    }

    /// Waits, up to 10 s, until `pid` has exited: gone, or a zombie not yet reaped by whoever adopted it. Nothing
    /// signals the death of a process that is not one's child, so this looks every 10 ms.
    public static func dies(_ pid: pid_t) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if hasExited(pid) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }
}
