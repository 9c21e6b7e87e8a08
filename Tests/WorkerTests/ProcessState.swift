import Foundation
import NIOPosix

/// Waiting on another process's state through /proc.
enum ProcessState {
    /// Returns once `pid` has exited (a zombie or gone): its descriptors are closed by then.
    static func waitUntilExited(_ pid: Int32) async {
        _ = try? await NIOThreadPool.singleton.runIfActive {
            while let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let state = stat.split(separator: ")").last?.split(separator: " ").first,
                state != "Z"
            {
                usleep(1000)
            }
        }
    }
}
