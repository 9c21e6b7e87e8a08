import FanoutTestSupport
import Foundation
import NIOPosix

/// Waiting on another process's state through /proc.
enum ProcessState {
    /// Returns once `pid` has exited (a zombie or gone): its descriptors are closed by then.
    static func waitUntilExited(_ pid: Int32) async {
        _ = try? await NIOThreadPool.singleton.runIfActive {
            while !ProcessProbe.hasExited(pid) {
                usleep(1000)
            }
        }
    }
}
