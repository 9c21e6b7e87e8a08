#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// A folder of this run's own under the system's temporary directory, mode 0700, named for the process that
/// made it, so that a later run can tell a folder whose process has died.
struct TemporaryFolder: Sendable {
    let path: String

    /// Makes `PREFIX-PID-XXXXXX`, first removing the folders of that prefix left by processes that have died
    /// without removing their own (killed by SIGKILL, say).
    init(prefix: String) throws {
        Self.removeAbandoned(prefix: prefix)
        var template = Array((Self.parent + "/\(prefix)-\(getpid())-XXXXXX").utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw ClusterError("cannot make a temporary folder: \(String(cString: strerror(errno)))")
        }
        self.path = String(cString: created)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: self.path)
    }

    private static var parent: String { FileManager.default.temporaryDirectory.path }

    /// Removes this user's folders named `PREFIX-PID-…` whose process no longer exists.
    static func removeAbandoned(prefix: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: Self.parent) else { return }
        for name in names where name.hasPrefix(prefix + "-") {
            let fields = name.dropFirst(prefix.count + 1).split(separator: "-", maxSplits: 1)
            guard fields.count == 2, let pid = pid_t(fields[0]), pid > 0 else { continue }
            let path = Self.parent + "/" + name
            var status = stat()
            guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR, status.st_uid == getuid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
    }
}
