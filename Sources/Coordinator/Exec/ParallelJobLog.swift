import Foundation

/// A job log in GNU Parallel's format, so that the tools that read its job logs read ours: a tab-separated
/// header, then one line per finished job, appended and flushed as each ends.
///
/// ```
/// Seq	Host	Starttime	JobRuntime	Send	Receive	Exitval	Signal	Command
/// 1	10.0.0.5:7420	1796213469.860	     0.013	0	2	0	0	gzip -k a.txt
/// ```
///
/// `Starttime` is seconds since the epoch and `JobRuntime` seconds, both to the millisecond; `Send` and `Receive`
/// are the bytes of the command sent and of its output received.
public final class ParallelJobLog {
    public static let header = "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand"

    /// One line of a job log.
    public struct Entry: Hashable, Sendable {
        public var sequence: Int
        public var host: String
        /// Seconds since the epoch.
        public var start: Double
        /// Seconds.
        public var runtime: Double
        public var sent: Int
        public var received: Int
        public var exitValue: Int
        public var signal: Int
        public var command: String

        public init(sequence: Int, host: String, start: Double, runtime: Double, sent: Int, received: Int, exitValue: Int, signal: Int, command: String) {
            self.sequence = sequence
            self.host = host
            self.start = start
            self.runtime = runtime
            self.sent = sent
            self.received = received
            self.exitValue = exitValue
            self.signal = signal
            self.command = command
        }

        /// It exited 0 and no signal killed it.
        public var succeeded: Bool { self.exitValue == 0 && self.signal == 0 }

        var line: String {
            let command = self.command.replacing("\n", with: " ")
            return "\(self.sequence)\t\(self.host)\t\(String(format: "%.3f", self.start))\t\(String(format: "%10.3f", self.runtime))\t"
                + "\(self.sent)\t\(self.received)\t\(self.exitValue)\t\(self.signal)\t\(command)"
        }
    }

    private let handle: FileHandle
    public let path: String

    /// Opens `path` to append to, writing the header first when the file is new or empty.
    ///
    /// - Throws: ``ClusterError`` with code `invalidJobLog` when it cannot be opened.
    public init(appendingTo path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw ClusterError(.invalidJobLog, "cannot create the job log \(path)")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw ClusterError(.invalidJobLog, "cannot open the job log \(path) to write")
        }
        self.handle = handle
        self.path = path
        do {
            if try handle.seekToEnd() == 0 {
                try self.write(Self.header)
            }
        } catch let error as ClusterError {
            throw error
        } catch {
            throw ClusterError(.invalidJobLog, "cannot write the job log \(path): \(error)", cause: error)
        }
    }

    /// Appends `entry`, on disk before it returns.
    public func append(_ entry: Entry) throws {
        try self.write(entry.line)
    }

    private func write(_ line: String) throws {
        do {
            try self.handle.write(contentsOf: Data((line + "\n").utf8))
            try self.handle.synchronize()
        } catch {
            throw ClusterError(.invalidJobLog, "cannot write the job log \(self.path): \(error)", cause: error)
        }
    }

    public func close() {
        try? self.handle.close()
    }

    /// The entries of the job log at `path`, by sequence number (the last line of a number wins); empty when
    /// there is no such file.
    ///
    /// - Throws: ``ClusterError`` with code `invalidJobLog` naming the line that does not read as a job log's.
    public static func entries(at path: String) throws -> [Int: Entry] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ClusterError(.invalidJobLog, "cannot read the job log \(path) to resume from")
        }
        var entries: [Int: Entry] = [:]
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            if line.isEmpty || (index == 0 && line == Self.header) { continue }
            // A last line without its newline was cut short by a crash: its job counts as not logged.
            let unfinished = index == lines.count - 1
            let fields = line.split(separator: "\t", maxSplits: 8, omittingEmptySubsequences: false)
            guard fields.count == 9,
                let sequence = Int(fields[0]), sequence >= 1,
                let start = Double(fields[2]),
                let runtime = Double(fields[3].trimmingCharacters(in: .whitespaces)),
                let sent = Int(fields[4]), let received = Int(fields[5]),
                let exitValue = Int(fields[6]), let signal = Int(fields[7])
            else {
                if unfinished { break }
                throw ClusterError(
                    .invalidJobLog,
                    "\(path):\(index + 1) is not a job log line (Seq, Host, Starttime, JobRuntime, Send, Receive, Exitval, Signal, Command, tab-separated): \(line.prefix(80))"
                )
            }
            entries[sequence] = Entry(
                sequence: sequence,
                host: String(fields[1]),
                start: start,
                runtime: runtime,
                sent: sent,
                received: received,
                exitValue: exitValue,
                signal: signal,
                command: String(fields[8])
            )
        }
        return entries
    }
}
