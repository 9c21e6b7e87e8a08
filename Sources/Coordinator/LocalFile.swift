#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and atomic writes with an explicit mode, failing with the system's reason.
enum LocalFile {
    struct SystemError: Error, CustomStringConvertible {
        var operation: String
        var path: String
        var errorNumber: Int32

        var description: String { "cannot \(self.operation) \(self.path): \(String(cString: strerror(self.errorNumber)))" }
    }

    struct NotRegularFile: Error, CustomStringConvertible {
        var path: String

        var description: String { "cannot read \(self.path): it is not a regular file" }
    }

    static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError(operation: "open", path: path, errorNumber: errno) }
        defer { close(fd) }
        return try Self.read(fd, path: path)
    }

    /// The regular file at `path`, and its mode. Anything else, such as a FIFO or a folder, is refused once
    /// opened, before any read could block.
    static func readRegularFile(_ path: String) throws -> (bytes: [UInt8], mode: mode_t) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw SystemError(operation: "open", path: path, errorNumber: errno) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw SystemError(operation: "inspect", path: path, errorNumber: errno) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw NotRegularFile(path: path) }
        return (try Self.read(fd, path: path), status.st_mode)
    }

    /// Reads `fd` to its end.
    private static func read(_ fd: Int32, path: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError(operation: "read", path: path, errorNumber: errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    /// Writes `contents` to a new file beside `path` created with `mode`, then renames it over `path`, so
    /// readers never see a partial file and a key is never readable by others, not even for a moment.
    static func write(_ path: String, contents: String, mode: mode_t) throws {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SystemError(operation: "create", path: temporary, errorNumber: errno) }
        var bytes = Array(contents.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                let error = SystemError(operation: "write", path: temporary, errorNumber: errno)
                close(fd)
                unlink(temporary)
                throw error
            }
            bytes = bytes.dropFirst(written)
        }
        // The mode given to open() is filtered by the umask; set it exactly.
        guard fchmod(fd, mode) == 0, fsync(fd) == 0 else {
            let error = SystemError(operation: "finish", path: temporary, errorNumber: errno)
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let error = SystemError(operation: "rename into place", path: path, errorNumber: errno)
            unlink(temporary)
            throw error
        }
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Creates `path` with `mode` unless it is already a directory.
    static func makeDirectory(_ path: String, mode: mode_t) throws {
        var status = stat()
        if stat(path, &status) == 0 {
            guard (status.st_mode & S_IFMT) == S_IFDIR else {
                throw SystemError(operation: "use as a directory", path: path, errorNumber: ENOTDIR)
            }
            return
        }
        guard mkdir(path, mode) == 0 || errno == EEXIST else {
            throw SystemError(operation: "create directory", path: path, errorNumber: errno)
        }
    }
}

#if canImport(Glibc)
private let systemRead = Glibc.read
private let systemWrite = Glibc.write
#elseif canImport(Musl)
private let systemRead = Musl.read
private let systemWrite = Musl.write
#elseif canImport(Darwin)
private let systemRead = Darwin.read
private let systemWrite = Darwin.write
#endif
