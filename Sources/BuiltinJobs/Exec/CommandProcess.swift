#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FanoutJobs
import SpawnShims

/// One command run to its end on the calling thread: spawned with `posix_spawn` in a process group of its
/// own, with standard input from `/dev/null`, both outputs captured up to a limit, then reaped.
///
/// The thread blocks throughout; a caller on Swift concurrency runs it through ``JobContext/compute(_:)``. One
/// hop to a thread and one back is all a command costs besides the spawn itself.
struct CommandProcess {
    /// The file to run, as an absolute path.
    var executable: String
    /// The arguments, `argv[0]` first.
    var arguments: [String]
    /// The environment's `NAME=VALUE` entries, each ending in a NUL byte.
    var environment: CommandEnvironment
    var directory: String
    /// The most bytes of each output kept; the rest is read and dropped.
    var limit: Int

    struct Ended {
        /// The status `waitpid` gave.
        var waitStatus: Int32
        var standardOutput: Capture
        var standardError: Capture

        var exitStatus: Int32? { self.waitStatus & 0x7f == 0 ? (self.waitStatus >> 8) & 0xff : nil }
        var signal: Int32? { self.waitStatus & 0x7f == 0 ? nil : self.waitStatus & 0x7f }
    }

    /// Spawns the command, tells `group` its process id, reads both outputs until the command exits (or is
    /// killed) and reaps it. Output a descendant writes after the command has exited is not waited for.
    ///
    /// - Throws: a ``JobFailure`` when it cannot be started, naming the executable and the reason.
    func run(in group: ProcessGroup) throws -> Ended {
        let standardOutput = try Self.makePipe()
        let standardError: (read: Int32, write: Int32)
        do {
            standardError = try Self.makePipe()
        } catch {
            close(standardOutput.read)
            close(standardOutput.write)
            throw error
        }
        let pid: pid_t
        do {
            pid = try self.spawn(standardOutput: standardOutput.write, standardError: standardError.write)
        } catch {
            [standardOutput.read, standardOutput.write, standardError.read, standardError.write].forEach { close($0) }
            throw error
        }
        close(standardOutput.write)
        close(standardError.write)
        group.started(pid)
        // Without a pidfd (Linux before 5.3), outputs are read until every writer has closed them.
        let exited = fanout_pidfd_open(pid)
        defer { if exited >= 0 { close(exited) } }
        let (output, error) = Self.readOutputs(standardOutput.read, standardError.read, until: [exited, group.wakeUp], limit: self.limit)

        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 {
            guard errno == EINTR else { throw Self.lost(pid) }
        }
        group.reaping()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw Self.lost(pid) }
        }
        return Ended(waitStatus: status, standardOutput: output, standardError: error)
    }

    /// Someone else reaped the command (SIGCHLD ignored, or a `waitpid(-1)` elsewhere): its status is gone.
    private static func lost(_ pid: pid_t) -> JobFailure {
        JobFailure(code: .jobFailed, message: "the command's exit status is lost (process \(pid): \(String(cString: strerror(errno))))")
    }

    private func spawn(standardOutput: Int32, standardError: Int32) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own group, so that a kill reaches whatever it starts; no signal blocked, and every signal's action
        // the default, whatever the worker ignores (SIGPIPE).
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        sigfillset(&signals)
        posix_spawnattr_setsigdefault(&attributes, &signals)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, standardOutput, 1)
        posix_spawn_file_actions_adddup2(&actions, standardError, 2)
        fanout_spawn_file_actions_addchdir(&actions, self.directory)
        // Nothing of the worker's reaches the command: not its sockets, not its children's pipes.
        fanout_spawn_file_actions_addclosefrom(&actions, 3)

        var pid: pid_t = 0
        let failure = CStringArray.with(self.arguments) { argv in
            self.environment.withPointers { envp in
                posix_spawn(&pid, self.executable, &actions, &attributes, argv, envp)
            }
        }
        guard failure == 0 else {
            if failure == ENOENT || failure == ENOTDIR || failure == EACCES { try Self.checkFolder(self.directory) }
            throw JobFailure(code: .jobFailed, message: "\(self.executable) could not be started: \(String(cString: strerror(failure)))")
        }
        return pid
    }

    /// Throws the failure of a job whose working directory is not a folder; returns when it is one.
    static func checkFolder(_ directory: String) throws(JobFailure) {
        var status = stat()
        guard stat(directory, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
            throw JobFailure(code: .jobFailed, message: "the working directory \(directory) is not a folder on this worker")
        }
    }

    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard fanout_pipe_cloexec(&fds) == 0 else {
            throw JobFailure(code: .jobFailed, message: "no pipe for a command's output: \(String(cString: strerror(errno)))")
        }
        return (fds[0], fds[1])
    }

    /// Reads both pipes until each ends or one of `stops` polls readable, then reads what they hold without
    /// waiting and closes them. A negative descriptor in `stops` is left out.
    private static func readOutputs(_ output: Int32, _ error: Int32, until stops: [Int32], limit: Int) -> (Capture, Capture) {
        var captures = [Capture(), Capture()]
        // poll skips a negative descriptor.
        var polled = ([output, error] + stops).map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 1)
        defer { buffer.deallocate() }

        /// Reads once from pipe `index`; false once it has ended (or failed), and is closed.
        func readOnce(_ index: Int) -> Bool {
            let count = read(polled[index].fd, buffer.baseAddress, buffer.count)
            if count > 0 {
                captures[index].append(UnsafeRawBufferPointer(rebasing: buffer[..<count]), limit: limit)
                return true
            }
            if count < 0 && errno == EINTR { return true }
            if count < 0 && errno == EAGAIN { return false }
            close(polled[index].fd)
            polled[index].fd = -1
            return false
        }

        while polled[0].fd >= 0 || polled[1].fd >= 0 {
            guard poll(&polled, nfds_t(polled.count), -1) >= 0 else {
                if errno == EINTR { continue }
                break
            }
            if polled[2...].contains(where: { $0.fd >= 0 && $0.revents != 0 }) { break }
            for index in 0..<2 where polled[index].fd >= 0 && polled[index].revents != 0 {
                _ = readOnce(index)
            }
        }
        // The command has exited or been killed: what it wrote is in the pipes; a descendant that still holds them
        // is not waited for.
        for index in 0..<2 where polled[index].fd >= 0 {
            _ = fcntl(polled[index].fd, F_SETFL, O_NONBLOCK)
            while readOnce(index) {}
            if polled[index].fd >= 0 { close(polled[index].fd) }
        }
        return (captures[0], captures[1])
    }
}

/// A command's environment as the `NAME=VALUE` entries `execve` takes, laid out once.
final class CommandEnvironment: Sendable {
    /// The entries, each NUL-terminated, one after another.
    private let bytes: [UInt8]
    /// Where each entry starts in `bytes`.
    private let starts: [Int]

    /// - Parameter entries: `(name, value)` pairs; neither holds a NUL byte, and a name holds no `=`.
    init(_ entries: [(name: String, value: String)]) {
        var bytes: [UInt8] = []
        var starts: [Int] = []
        for (name, value) in entries {
            starts.append(bytes.count)
            bytes += name.utf8
            bytes.append(UInt8(ascii: "="))
            bytes += value.utf8
            bytes.append(0)
        }
        self.bytes = bytes
        self.starts = starts
    }

    /// Calls `body` with a NULL-terminated array of pointers to the entries.
    func withPointers<Result>(_ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Result) -> Result {
        self.bytes.withUnsafeBufferPointer { bytes in
            var pointers: [UnsafeMutablePointer<CChar>?] = []
            if let start = bytes.baseAddress {
                let base = UnsafeMutableRawPointer(mutating: start).assumingMemoryBound(to: CChar.self)
                pointers = self.starts.map { base + $0 }
            }
            pointers.append(nil)
            return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
        }
    }
}

/// Strings as a NULL-terminated array of C strings, for the length of a call.
enum CStringArray {
    static func with<Result>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Result) -> Result {
        let copies: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
        defer { copies.forEach { free($0) } }
        return copies.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
