#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FanoutLocking
import FanoutProtocol
import NIOCore
import NIOPosix

/// One running child of the process pool, spoken to in frames over its stdin and stdout by a
/// ``ChildConnectionHandler``.
struct ChildProcess: Sendable {
    let pid: pid_t
    /// How the child's pipes ended; complete once they have closed.
    let ended: EventLoopFuture<ChildEnding>

    /// Starts `command` with pipes for stdin and stdout and `settings` in its environment; stderr is shared with
    /// this process. The child must greet with `kinds`; it takes its jobs from `slot`.
    static func spawn(
        _ command: ChildCommand,
        settings: ChildSettings,
        kinds: [JobKindName],
        slot: ChildSlotCalls
    ) async throws -> ChildProcess {
        let limits = FrameLimits(maximumFrameLength: settings.maximumFrameLength)
        let (pid, input, output) = try Self.spawnLock.withLock { _ in try Self.startProcess(command, settings: settings) }
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let ended = eventLoop.makePromise(of: ChildEnding.self)
        do {
            _ = try await NIOPipeBootstrap(group: eventLoop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addMessageFraming(limits: limits)
                        try channel.pipeline.syncOperations.addHandler(ChildConnectionHandler(pid: pid, kinds: kinds, slot: slot, ended: ended))
                    }
                }
                .takingOwnershipOfDescriptors(input: input, output: output)
                .get()
            return ChildProcess(pid: pid, ended: ended.futureResult)
        } catch {
            ended.fail(error)
            kill(pid, SIGKILL)
            _ = await Self.reap(pid)
            throw WorkerError(.childDidNotStart, "cannot attach to the pipes of child \(pid): \(error)", cause: error)
        }
    }

    /// Held from creating a child's pipes until it has started, because a pipe is inheritable until marked
    /// close-on-exec: where closing from 3 is not available, a child started in between by another slot
    /// would hold a copy of this child's pipe open, and this child's death would never read as end of file.
    private static let spawnLock = Locked(())

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's Glibc module does
    /// not export; nil on an older C library.
    private static let closeFrom3: AddCloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            return nil
        }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    /// Returns the child's pid, the read end of its stdout and the write end of its stdin.
    private static func startProcess(_ command: ChildCommand, settings: ChildSettings) throws -> (pid_t, Int32, Int32) {
        var toChild: [Int32] = [-1, -1]
        var fromChild: [Int32] = [-1, -1]
        guard pipe(&toChild) == 0 else { throw Self.systemError("pipe") }
        guard pipe(&fromChild) == 0 else {
            let error = Self.systemError("pipe")
            close(toChild[0])
            close(toChild[1])
            throw error
        }
        for fd in toChild + fromChild {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 onto 0 and 1 clears close-on-exec there. NIO opens its sockets without close-on-exec, so
        // everything from 3 up is closed explicitly: a child must not hold the listening socket or a
        // coordinator's connection open after the worker lets go of them.
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        _ = Self.closeFrom3?(&actions, 3)

        let argv: [UnsafeMutablePointer<CChar>?] = ([command.executable] + command.arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let marker = strdup("\(ChildWorker.environmentVariable)=\(settings.environmentValue)")
        defer { free(marker) }
        var environment: [UnsafeMutablePointer<CChar>?] = [marker]
        var inherited = environ
        while let variable = inherited.pointee {
            environment.append(variable)
            inherited += 1
        }
        environment.append(nil)
        var pid = pid_t()
        let result = posix_spawn(&pid, command.executable, &actions, nil, argv, environment)
        close(toChild[0])
        close(fromChild[1])
        guard result == 0 else {
            close(toChild[1])
            close(fromChild[0])
            throw WorkerError(.childDidNotStart, "cannot start \(command.executable): \(String(cString: strerror(result)))")
        }
        return (pid, fromChild[0], toChild[1])
    }

    /// Waits for the child `pid` to end and says how it did.
    static func reap(_ pid: pid_t) async -> ChildExit {
        // waitpid blocks, so it waits on a thread of NIO's pool rather than on the concurrency pool.
        let outcome = try? await NIOThreadPool.singleton.runIfActive { () -> ChildExit in
            var status: Int32 = 0
            while true {
                if waitpid(pid, &status, 0) == pid { return ChildExit(waitStatus: status) }
                if errno != EINTR { return .unknown(errno: errno) }
            }
        }
        return outcome ?? .unknown(errno: ECANCELED)
    }

    private static func systemError(_ call: String) -> WorkerError {
        WorkerError(.childDidNotStart, "\(call) failed: \(String(cString: strerror(errno)))")
    }
}
