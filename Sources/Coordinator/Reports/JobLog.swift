import FanoutLocking
import Foundation

/// A tab-separated file with one line per finished job, in the spirit of GNU Parallel's `--joblog`.
///
/// Columns, after a header line naming them: `job`, `kind`, `input`, `worker`, `slot`, `attempts`,
/// `submitted`, `started`, `ended` (Unix time in seconds, on the coordinator's clock; `started` is when the
/// worker's slot took the job, its clock mapped onto the coordinator's), `queue`, `run`,
/// `network` (seconds: time in the worker's queue, running, and the rest of the round trip), `status`
/// (finished, failed or cancelled) and `error`. A value that does not apply is `-`.
public final class JobLog: JobObserver {
    public static let columns = [
        "job", "kind", "input", "worker", "slot", "attempts", "submitted", "started", "ended", "queue", "run",
        "network", "status", "error",
    ]

    private let file: Locked<FileHandle?>
    public let path: String

    /// Creates or truncates the file at `path` and writes the header.
    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data((Self.columns.joined(separator: "\t") + "\n").utf8)),
            let handle = FileHandle(forWritingAtPath: path)
        else {
            throw ClusterError(.invalidJobLog, "cannot write the job log \(path)")
        }
        handle.seekToEndOfFile()
        self.path = path
        self.file = Locked(handle)
    }

    /// Appends `record`'s line.
    public func jobDone(_ record: JobRecord) {
        self.jobsDone([record])
    }

    /// Appends each record's line, in one write.
    public func jobsDone(_ records: ArraySlice<JobRecord>) {
        var text = ""
        for record in records { text += Self.line(for: record) + "\n" }
        let lines = Data(text.utf8)
        self.file.withLock { $0?.write(lines) }
    }

    /// Flushes and closes the file; later writes are dropped.
    public func close() {
        self.file.withLock { handle in
            try? handle?.close()
            handle = nil
        }
    }

    static func line(for record: JobRecord) -> String {
        func seconds(_ nanoseconds: UInt64?) -> String {
            nanoseconds.map { String(format: "%.6f", Double($0) / 1e9) } ?? "-"
        }
        func seconds(_ duration: Duration?) -> String {
            duration.map { String(format: "%.6f", $0.seconds) } ?? "-"
        }
        let fields: [String] = [
            "\(record.job.rawValue)", "\(record.kind)", record.input, record.worker ?? "-",
            record.slot.map(String.init) ?? "-", "\(record.attempts)", seconds(record.times.submitted),
            seconds(record.timing?.started ?? record.times.started), seconds(record.times.ended), seconds(record.timing?.queued),
            seconds(record.timing?.ran), seconds(record.networkNanoseconds), "\(record.state)", record.error ?? "-",
        ]
        // A tab or line break inside a field would shift the columns.
        return fields.map { $0.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ") }
            .joined(separator: "\t")
    }
}
