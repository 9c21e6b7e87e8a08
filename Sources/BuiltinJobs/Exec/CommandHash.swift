#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FanoutJobs
import FanoutLocking

/// Where each command name was found in `PATH`, remembered as a shell's command hash remembers it: a file
/// found once is used for as long as it is still executable, and looked for again once it is not. A name
/// with a `/` is not looked up, and so not remembered.
final class CommandHash: Sendable {
    private struct Key: Hashable {
        var name: String
        var searchPath: String
        /// Where relative folders of `searchPath` are read from; empty when it has none.
        var directory: String
    }

    private let paths = Locked<[Key: String]>([:])
    /// Names remembered at most; past it the memory starts again, so that coordinators naming ever more
    /// commands cannot grow it without end.
    private let capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    /// As ``CommandPolicy/locate(_:in:searchPath:)``, from memory while the remembered file is executable.
    func locate(_ name: String, in directory: String, searchPath: String) -> String? {
        guard !name.utf8.contains(UInt8(ascii: "/")) else {
            return CommandPolicy.locate(name, in: directory, searchPath: searchPath)
        }
        let key = Key(name: name, searchPath: searchPath, directory: Self.hasRelativeFolder(searchPath) ? directory : "")
        if let path = self.paths.withLock({ $0[key] }), access(path, X_OK) == 0 {
            return path
        }
        let path = CommandPolicy.locate(name, in: directory, searchPath: searchPath)
        self.paths.withLock { paths in
            if paths.count >= self.capacity { paths.removeAll(keepingCapacity: true) }
            paths[key] = path
        }
        return path
    }

    /// Whether a folder of `searchPath` is relative, or empty (the current folder), so that what it finds
    /// depends on the folder a command runs in.
    static func hasRelativeFolder(_ searchPath: String) -> Bool {
        var atStart = true
        for byte in searchPath.utf8 {
            if atStart && byte != UInt8(ascii: "/") { return true }
            atStart = byte == UInt8(ascii: ":")
        }
        return atStart
    }
}
