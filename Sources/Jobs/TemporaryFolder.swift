#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import NIOCore

/// A folder of a process's own under a temporary directory, mode 0700, named for the process that made it, so
/// that a later process can tell a folder whose process has died.
public struct TemporaryFolder: Sendable {
    public let path: String

    /// Makes `PARENT/PREFIX-PID-XXXXXX`, first, unless told not to, removing the folders of that prefix left
    /// there by processes that have died without removing their own (killed by SIGKILL, say).
    ///
    /// - Parameter parent: the system's temporary directory by default.
    /// - Throws: ``JobSetupError`` with code `cannotCreateFolder` and the system's reason.
    public init(prefix: String, in parent: String = TemporaryFolder.systemParent, removingAbandoned: Bool = true) throws {
        if removingAbandoned { Self.removeAbandoned(prefix: prefix, in: parent) }
        var template = Array((parent + "/\(prefix)-\(getpid())-XXXXXX").utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            let error = IOError(errnoCode: errno, reason: "mkdtemp")
            throw JobSetupError(.cannotCreateFolder, "cannot make a temporary folder in \(parent): \(String(cString: strerror(error.errnoCode)))", cause: error)
        }
        self.path = String(cString: created)
    }

    /// Removes the folder and everything in it, folders made read-only inside it too; false when some of it
    /// could not be removed.
    @discardableResult
    public func remove() -> Bool {
        if (try? FileManager.default.removeItem(atPath: self.path)) != nil { return true }
        // A folder without write or search permission keeps its entries: give them back, then try again.
        chmod(self.path, 0o700)
        if let entries = FileManager.default.enumerator(atPath: self.path) {
            for case let entry as String in entries {
                let path = self.path + "/" + entry
                var status = stat()
                if lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR { chmod(path, 0o700) }
            }
        }
        return (try? FileManager.default.removeItem(atPath: self.path)) != nil
    }

    /// `TMPDIR`, or `/tmp`.
    public static var systemParent: String { FileManager.default.temporaryDirectory.path }

    /// Removes this user's folders named `PREFIX-PID-…` in `parent` whose process no longer exists.
    public static func removeAbandoned(prefix: String, in parent: String = TemporaryFolder.systemParent) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return }
        for name in names where name.hasPrefix(prefix + "-") {
            let fields = name.dropFirst(prefix.count + 1).split(separator: "-", maxSplits: 1)
            guard fields.count == 2, let pid = pid_t(fields[0]), pid > 0 else { continue }
            let path = parent + "/" + name
            var status = stat()
            guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR, status.st_uid == getuid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
    }
}
