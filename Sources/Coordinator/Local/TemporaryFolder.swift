import Foundation

/// A folder of this run's own under the system's temporary directory, mode 0700.
struct TemporaryFolder: Sendable {
    let path: String

    init(prefix: String) throws {
        var template = Array((FileManager.default.temporaryDirectory.path + "/\(prefix)-XXXXXX").utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw ClusterError("cannot make a temporary folder: \(String(cString: strerror(errno)))")
        }
        self.path = String(cString: created)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: self.path)
    }
}
