#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Which commands a worker's jobs may start, as its operator allowed with `--allow-exec`.
public enum CommandPolicy: Hashable, Sendable, CustomStringConvertible {
    /// No command at all: the default.
    case refused
    /// Any executable.
    case anyExecutable
    /// Only these executables, by absolute path; a symbolic link counts as the file it leads to.
    case only([String])

    /// Reads the value of `--allow-exec`: `*` for any executable, or absolute paths separated by commas.
    ///
    /// - Throws: ``JobSetupError`` with code `invalidCommandPolicy` naming an entry that is empty or not an absolute path.
    public init(allowExec value: String) throws {
        if value == "*" {
            self = .anyExecutable
            return
        }
        let paths = value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        for path in paths where !path.hasPrefix("/") {
            throw JobSetupError(
                .invalidCommandPolicy,
                "--allow-exec=\(value): \(path.isEmpty ? "an empty entry" : "\"\(path)\"") is not an absolute path; "
                    + "give absolute paths separated by commas, or no value to allow every executable"
            )
        }
        self = .only(paths)
    }

    public var description: String {
        switch self {
        case .refused: "no commands"
        case .anyExecutable: "any executable"
        case .only(let paths): paths.joined(separator: ",")
        }
    }

    /// The executable `name` names, as a path: `name` itself when it holds a `/` (relative to `directory`), else
    /// the first executable file of that name in `searchPath`. An allow-list gives it with every symbolic link
    /// resolved.
    ///
    /// - Throws: a ``JobFailure``: `not-allowed` when this policy forbids it (naming `--allow-exec`),
    ///   `job-failed` when no such executable exists.
    public func executable(_ name: String, in directory: String, searchPath: String) throws -> String {
        try self.executable(name, located: Self.locate(name, in: directory, searchPath: searchPath))
    }

    /// As ``executable(_:in:searchPath:)``, for `name` already found at `path` (nil where it was not found).
    /// Where any executable is allowed the path is kept as it is; an allow-list compares it with every link
    /// resolved.
    public func executable(_ name: String, located path: String?) throws -> String {
        if case .refused = self {
            throw JobFailure(code: .notAllowed, message: "this worker runs no commands; start it with --allow-exec to allow them")
        }
        guard let path else {
            throw JobFailure(code: .jobFailed, message: "command not found: \(name)")
        }
        guard case .only(let allowed) = self else { return path }
        guard let resolved = Self.realPath(path) else {
            throw JobFailure(code: .jobFailed, message: "command not found: \(name) (\(path) cannot be resolved)")
        }
        guard allowed.contains(where: { Self.realPath($0) == resolved }) else {
            throw JobFailure(
                code: .notAllowed,
                message: "\(resolved) is not allowed on this worker: --allow-exec=\(allowed.joined(separator: ","))"
            )
        }
        return resolved
    }

    /// The file `name` names: `name` itself when it holds a `/` (relative to `directory`) and is executable,
    /// else the first executable regular file of that name in the folders of `searchPath`; nil when none is.
    public static func locate(_ name: String, in directory: String, searchPath: String) -> String? {
        guard !name.isEmpty else { return nil }
        if name.utf8.contains(UInt8(ascii: "/")) {
            let path = name.hasPrefix("/") ? name : directory + "/" + name
            return access(path, X_OK) == 0 ? path : nil
        }
        for folder in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            let path = (folder.isEmpty ? directory : (folder.hasPrefix("/") ? String(folder) : directory + "/" + folder)) + "/" + name
            var status = stat()
            if stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, access(path, X_OK) == 0 {
                return path
            }
        }
        return nil
    }

    /// `path` with every symbolic link resolved; nil when it does not exist. Allow-list entries are resolved on
    /// every check, not once, so that a link the operator moves (as `update-alternatives` does) is followed.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
