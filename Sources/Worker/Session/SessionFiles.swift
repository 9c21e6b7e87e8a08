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
/// Files are written on NIO's blocking-I/O threads, never on the concurrency pool. Anything wrong with a file
/// ends the session: a put out of order, a file that cannot be stored, files over the worker's limit, or a
/// worker that runs no commands, which stores no files.
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
        /// Files have come, `total` bytes of them in all; `incoming` is one not whole yet.
        case receiving(TemporaryFolder, incoming: Incoming?, total: UInt64)
        /// The session has ended.
        case removed
    }

    /// What one put leaves behind: the folder, once made; the file, while it is not whole; or why it failed.
    private struct Stored: Sendable {
        var folder: TemporaryFolder?
        var incoming: Incoming?
        var failure: ProtocolError?
    }

    /// Run folders are named `fanout-run-PID-XXXXXX`.
    static let folderPrefix = "fanout-run"

    private let state = Locked(State.empty)
    private let parent: String
    private let allowed: Bool
    private let maximumBytes: UInt64

    /// - Parameters:
    ///   - parent: where the run folder is made.
    ///   - allowed: whether the worker stores files at all; only one that runs commands does.
    ///   - maximumBytes: the most bytes the session's files may take in all.
    init(parent: String, allowed: Bool, maximumBytes: UInt64) {
        self.parent = parent
        self.allowed = allowed
        self.maximumBytes = maximumBytes
    }

    /// The run folder, for a job submitted now; nil when no file has come.
    ///
    /// - Throws: a ``ProtocolError`` when a file is not whole yet: the coordinator sends every file first.
    func folderForJob() throws(ProtocolError) -> String? {
        try self.state.withLock { state throws(ProtocolError) -> String? in
            switch state {
            case .empty, .removed:
                return nil
            case .receiving(let folder, nil, _):
                return folder.path
            case .receiving(_, let incoming?, _):
                throw ProtocolError(
                    .unexpectedMessage,
                    "a submit came while \(incoming.name) had \(incoming.received) of its \(incoming.size) bytes"
                )
            }
        }
    }

    /// Stores one put off `loop`, and completes there with the file's path once it is whole. Only the session's
    /// reader calls it, one put at a time, and ``remove()`` is called only once the reader has ended.
    ///
    /// Fails with a ``ProtocolError`` that ends the session: `unexpected-message` when the put does not follow
    /// the one before (another file begun before this one is whole, a gap, another size); `transfer-failed` when
    /// the worker takes no files, the files would pass its limit, or the file cannot be stored.
    func receive(_ put: Put, on loop: any EventLoop) -> EventLoopFuture<String?> {
        let folder: TemporaryFolder?
        let incoming: Incoming?
        do {
            (folder, incoming) = try self.admit(put)
        } catch {
            // On a later turn of the loop, as a stored put would be: the caller's callback never runs inside
            // this call.
            return loop.submit { throw error }
        }
        let parent = self.parent
        return NIOThreadPool.singleton.runIfActive(eventLoop: loop) {
            Self.store(put, in: folder, parent: parent, continuing: incoming)
        }.recover { error in
            if let incoming { close(incoming.descriptor) }
            return Stored(folder: folder, failure: ProtocolError(.transferFailed, "cannot store \(put.name): \(error)"))
        }.flatMapThrowing { stored in
            try self.record(stored, of: put)
        }
    }

    /// Checks that `put` may be stored next: the folder to store it in, and the file it continues.
    private func admit(_ put: Put) throws(ProtocolError) -> (TemporaryFolder?, Incoming?) {
        try self.state.withLock { state throws(ProtocolError) -> (TemporaryFolder?, Incoming?) in
            switch state {
            case .removed:
                throw ProtocolError(.unexpectedMessage, "a put of \(put.name) came after the session ended")
            case .empty:
                try self.checkNew(put, total: 0)
                return (nil, nil)
            case .receiving(let folder, nil, let total):
                try self.checkNew(put, total: total)
                state = .receiving(folder, incoming: nil, total: total + put.size)
                return (folder, nil)
            case .receiving(let folder, let incoming?, _):
                guard put.name == incoming.name, put.size == incoming.size, put.offset == incoming.received,
                    put.executable == incoming.executable
                else {
                    throw ProtocolError(
                        .unexpectedMessage,
                        "a put of \(put.name) at byte \(put.offset) of \(put.size) came while \(incoming.name) had "
                            + "\(incoming.received) of its \(incoming.size) bytes"
                    )
                }
                return (folder, incoming)
            }
        }
    }

    /// Records what storing `put` left: the folder, and the file while it is not whole. Returns the file's path
    /// once it is.
    private func record(_ stored: Stored, of put: Put) throws(ProtocolError) -> String? {
        self.state.withLock { state in
            let total: UInt64
            switch state {
            case .empty: total = put.size
            case .receiving(_, _, let before): total = before
            case .removed: return
            }
            if let folder = stored.folder {
                state = .receiving(folder, incoming: stored.incoming, total: total)
            }
        }
        if let failure = stored.failure { throw failure }
        guard stored.incoming == nil, let folder = stored.folder else { return nil }
        return folder.path + "/" + put.name
    }

    /// Closes a file not yet whole and removes the run folder, once the session has ended and its commands have
    /// exited. Returns the folder's path if some of it could not be removed.
    func remove() async -> String? {
        let folder = self.state.withLock { state -> TemporaryFolder? in
            defer { state = .removed }
            switch state {
            case .empty, .removed:
                return nil
            case .receiving(let folder, let incoming, _):
                if let incoming { close(incoming.descriptor) }
                return folder
            }
        }
        guard let folder else { return nil }
        // A future, which a cancelled session (the worker's shutdown running out) still waits for.
        let removed = try? await NIOThreadPool.singleton.runIfActive(eventLoop: NIOSingletons.posixEventLoopGroup.any()) {
            folder.remove()
        }.get()
        return removed == true ? nil : folder.path
    }

    /// Checks the first put of a file: it starts at byte 0, the worker takes files, and there is room for it.
    private func checkNew(_ put: Put, total: UInt64) throws(ProtocolError) {
        guard put.offset == 0 else {
            throw ProtocolError(.unexpectedMessage, "the first put of \(put.name) is at byte \(put.offset), not 0")
        }
        guard self.allowed else {
            throw ProtocolError(.transferFailed, "this worker takes no files (\(put.name)): it runs no commands; start it with --allow-exec")
        }
        let (sum, overflow) = total.addingReportingOverflow(put.size)
        guard !overflow, sum <= self.maximumBytes else {
            throw ProtocolError(
                .transferFailed,
                "\(put.name) (\(put.size) bytes) would take the run's files past this worker's limit of \(self.maximumBytes) bytes (--max-transfer)"
            )
        }
    }

    /// Writes `put`, first making the folder and opening the file where this is the first of them. Blocks.
    private static func store(_ put: Put, in existing: TemporaryFolder?, parent: String, continuing incoming: Incoming?) -> Stored {
        let folder: TemporaryFolder
        do {
            // The worker removed abandoned folders when it started.
            folder = try existing ?? TemporaryFolder(prefix: Self.folderPrefix, in: parent, removingAbandoned: false)
        } catch {
            return Stored(failure: ProtocolError(.transferFailed, "cannot store \(put.name): \(error)"))
        }
        let path = folder.path + "/" + put.name
        func failed(_ operation: String, _ number: Int32, descriptor: Int32?) -> Stored {
            if let descriptor { close(descriptor) }
            let reason = number == EEXIST && operation == "create" ? "a file of that name was sent already" : String(cString: strerror(number))
            return Stored(folder: folder, failure: ProtocolError(.transferFailed, "cannot \(operation) \(path): \(reason)"))
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
