#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// Stopping a server when the process that started it dies, however it dies.
///
/// The starter (a coordinator's local mode) gives the server a pipe as standard input and never writes to it.
/// When the starter exits, even by SIGKILL, the kernel closes its end, a read here returns end of file, and the
/// server sends itself SIGTERM, which stops it as an operator's would.
public enum StandardInputWatch {
    /// The hidden flag that asks for it.
    public static let flag = "stop-when-stdin-closes"

    /// Starts a thread that waits for standard input to close, then sends this process SIGTERM.
    public static func start() {
        Thread.detachNewThread {
            var byte: UInt8 = 0
            while true {
                let count = read(STDIN_FILENO, &byte, 1)
                if count > 0 || (count < 0 && errno == EINTR) { continue }
                break
            }
            kill(getpid(), SIGTERM)
        }
    }
}
