#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FanoutJobs
import FanoutLocking
import SpawnShims

/// A command's process group, killed whole on cancellation: before the command has started, the kill waits
/// for it; once the command is reaped, no kill goes out, as its id may belong to another process by then.
///
/// A kill also wakes the thread reading the command's outputs (``wakeUp``), which would otherwise wait for
/// every writer to close them, a descendant that left the group included.
final class ProcessGroup: Sendable {
    private enum State {
        case starting
        case running(pid_t)
        case killed
        case reaped
    }

    private let state = Locked(State.starting)
    /// Polls readable once the group has been killed.
    let wakeUp: Int32
    private let wakeUpWriter: Int32

    init() throws {
        var fds: [Int32] = [0, 0]
        guard fanout_pipe_cloexec(&fds) == 0 else {
            throw JobFailure(code: .jobFailed, message: "no pipe to stop a command with: \(String(cString: strerror(errno)))")
        }
        (self.wakeUp, self.wakeUpWriter) = (fds[0], fds[1])
    }

    deinit {
        close(self.wakeUp)
        close(self.wakeUpWriter)
    }

    /// The command runs as `pid`, the leader of its group.
    func started(_ pid: pid_t) {
        self.state.withLock { state in
            if case .killed = state {
                _ = killpg(pid, SIGKILL)
            } else {
                state = .running(pid)
            }
        }
    }

    func kill() {
        let killed = self.state.withLock { state -> Bool in
            switch state {
            case .running(let pid):
                // Under the lock, so that the leader cannot be reaped (and its id reused) in between.
                _ = killpg(pid, SIGKILL)
                state = .killed
                return true
            case .starting:
                state = .killed
                return true
            case .killed, .reaped:
                return false
            }
        }
        if killed {
            var byte: UInt8 = 1
            _ = write(self.wakeUpWriter, &byte, 1)
        }
    }

    /// The leader has exited and is about to be reaped.
    func reaping() {
        self.state.withLock { $0 = .reaped }
    }
}
