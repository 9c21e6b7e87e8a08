#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FanoutJobs
import FanoutLocking
import FanoutProtocol
import NIOCore
import NIOPosix

/// The files a coordinator sends its session before its jobs (`put` messages), in a run folder of the session's
/// own that is made with the first file and removed when the session ends.
///
/// Files are written on NIO's blocking-I/O threads, never on the concurrency pool. A file that cannot be stored
/// fails every job the session submits after it, with `transfer-failed` naming the file, since they may need it.
/// A worker that runs no commands stores no files: the jobs after a put fail with `not-allowed`.
final class SessionFiles: Sendable {
    /// A file partly received, open for writing.
    private struct Incoming: Sendable {
        var name: String
        var executable: Bool
        var size: UInt64
        var received: UInt64
        var descriptor: Int32
    }

    private enum State {
        /// No file has come.
        case empty
        /// Files have come; `incoming` is one not whole yet.
        case receiving(TemporaryFolder, incoming: Incoming?)
        /// A file could not be stored; later puts are read and dropped.
        case failed(TemporaryFolder?, JobFailure)
        /// The session has ended.
        case removed
    }

    /// What one put leaves behind: the folder, once made; the file, while it is not whole; or why it failed.
    private struct Stored: Sendable {
        var folder: TemporaryFolder?
        var incoming: Incoming?
        var failure: JobFailure?
    }

    /// What became of one put, for the session's log.
    enum Receipt: Equatable {
        /// More of the file is to come.
        case partial
        /// The file at `path` is whole.
        case whole(path: String)
        /// It could not be stored, or was refused; the session's later jobs fail with this.
        case failed(JobFailure)
        /// An earlier file failed, or the session has ended: the put is dropped.
        case dropped
    }

    /// Run folders are named `fanout-run-PID-XXXXXX`.
    static let folderPrefix = "fanout-run"

    private let state = Locked(State.empty)
    private let parent: String
    private let allowed: Bool

    /// - Parameters:
    ///   - parent: where the run folder is made.
    ///   - allowed: whether the worker stores files at all; only one that runs commands does.
    init(parent: String, allowed: Bool) {
        self.parent = parent
        self.allowed = allowed
    }

    /// What a job submitted now may use: the run folder, nil when no file has come, or the failure that keeps
    /// it from running.
    var folderForJobs: Result<String?, JobFailure> {
        self.state.withLock { state in
            switch state {
            case .empty, .removed:
                .success(nil)
            case .receiving(let folder, nil):
                .success(folder.path)
            case .receiving(_, let incoming?):
                .failure(
                    JobFailure(
                        code: .transferFailed,
                        message: "\(incoming.name) was not whole (\(incoming.received) of \(incoming.size) bytes) when a job came"
                    )
                )
            case .failed(_, let failure):
                .failure(failure)
            }
        }
    }

    /// Stores one put. Only the session's reader calls it, one put at a time.
    ///
    /// - Throws: a ``ProtocolError`` when the put does not follow the one before: another file begun before
    ///   this one is whole, a gap, another size.
    func receive(_ put: Put) async throws(ProtocolError) -> Receipt {
        enum Step {
            case drop
            case refuse
            case store(TemporaryFolder?, Incoming?)
        }
        let step = try self.state.withLock { state throws(ProtocolError) -> Step in
            switch state {
            case .removed, .failed:
                return .drop
            case .empty:
                try Self.checkFirst(put)
                return self.allowed ? .store(nil, nil) : .refuse
            case .receiving(let folder, nil):
                try Self.checkFirst(put)
                return .store(folder, nil)
            case .receiving(let folder, let incoming?):
                guard put.name == incoming.name, put.size == incoming.size, put.offset == incoming.received else {
                    throw ProtocolError(
                        .unexpectedMessage,
                        "a put of \(put.name) at byte \(put.offset) of \(put.size) came while \(incoming.name) had "
                            + "\(incoming.received) of \(incoming.size) bytes"
                    )
                }
                return .store(folder, incoming)
            }
        }
        switch step {
        case .drop:
            return .dropped
        case .refuse:
            let failure = JobFailure(
                code: .notAllowed,
                message: "this worker takes no files (\(put.name)): it runs no commands; start it with --allow-exec"
            )
            self.state.withLock { $0 = .failed(nil, failure) }
            return .failed(failure)
        case .store(let folder, let incoming):
            let parent = self.parent
            let stored: Stored
            do {
                stored = try await NIOThreadPool.singleton.runIfActive {
                    Self.store(put, in: folder, parent: parent, continuing: incoming)
                }
            } catch {
                incoming.map { _ = close($0.descriptor) }
                stored = Stored(
                    folder: folder,
                    failure: JobFailure(code: .transferFailed, message: "cannot store \(put.name): \(error)")
                )
            }
            let ended = self.state.withLock { state -> Bool in
                if case .removed = state { return true }
                if let failure = stored.failure {
                    state = .failed(stored.folder, failure)
                } else if let folder = stored.folder {
                    state = .receiving(folder, incoming: stored.incoming)
                }
                return false
            }
            if ended {
                // The session ended while the file was being written.
                stored.incoming.map { _ = close($0.descriptor) }
                _ = try? await NIOThreadPool.singleton.runIfActive { stored.folder?.remove() }
                return .dropped
            }
            if let failure = stored.failure { return .failed(failure) }
            if stored.incoming != nil { return .partial }
            return .whole(path: (stored.folder?.path ?? "") + "/" + put.name)
        }
    }

    /// Closes a file not yet whole and removes the run folder; for when the session has ended and its jobs have
    /// been stopped. Returns the folder's path if some of it could not be removed.
    func remove() async -> String? {
        let folder = self.state.withLock { state -> TemporaryFolder? in
            defer { state = .removed }
            switch state {
            case .empty, .removed:
                return nil
            case .receiving(let folder, let incoming):
                incoming.map { _ = close($0.descriptor) }
                return folder
            case .failed(let folder, _):
                return folder
            }
        }
        guard let folder else { return nil }
        let removed = (try? await NIOThreadPool.singleton.runIfActive { folder.remove() }) ?? false
        return removed ? nil : folder.path
    }

    private static func checkFirst(_ put: Put) throws(ProtocolError) {
        guard put.offset == 0 else {
            throw ProtocolError(.unexpectedMessage, "the first put of \(put.name) is at byte \(put.offset), not 0")
        }
    }

    /// Writes `put`, first making the folder and opening the file where this is the first of them. Blocks.
    private static func store(_ put: Put, in existing: TemporaryFolder?, parent: String, continuing incoming: Incoming?) -> Stored {
        let folder: TemporaryFolder
        do {
            folder = try existing ?? TemporaryFolder(prefix: Self.folderPrefix, in: parent)
        } catch {
            return Stored(failure: JobFailure(code: .transferFailed, message: "cannot store \(put.name): \(error)"))
        }
        let path = folder.path + "/" + put.name
        func failed(_ operation: String, _ number: Int32, descriptor: Int32?) -> Stored {
            descriptor.map { _ = close($0) }
            let reason = number == EEXIST && operation == "create" ? "a file of that name was sent already" : String(cString: strerror(number))
            return Stored(
                folder: folder,
                failure: JobFailure(code: .transferFailed, message: "cannot \(operation) \(path): \(reason)")
            )
        }
        var file: Incoming
        if let incoming {
            file = incoming
        } else {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { return failed("create", errno, descriptor: nil) }
            file = Incoming(name: put.name, executable: put.executable, size: put.size, received: 0, descriptor: descriptor)
        }
        let error = put.bytes.withUnsafeReadableBytes { bytes -> Int32? in
            var done = 0
            while done < bytes.count {
                let count = pwrite(file.descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(put.offset) + off_t(done))
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                done += count
            }
            return nil
        }
        if let error { return failed("write", error, descriptor: file.descriptor) }
        file.received += UInt64(put.bytes.readableBytes)
        guard file.received == file.size else { return Stored(folder: folder, incoming: file) }
        if file.executable && fchmod(file.descriptor, 0o700) != 0 {
            return failed("make executable", errno, descriptor: file.descriptor)
        }
        guard close(file.descriptor) == 0 else { return failed("write", errno, descriptor: nil) }
        return Stored(folder: folder)
    }
}
