import FanoutCoordinator
import UnixSignals

/// Re-reads a run's hosts file on SIGHUP, as GNU Parallel re-reads `--sshloginfile`: hosts added join the run,
/// hosts removed leave it once they have finished what they hold.
struct HostsFileReload: Sendable {
    let path: String
    private let hangups: UnixSignalsSequence

    /// Traps SIGHUP from now on; a signal before ``serve(_:)`` waits for it.
    init(path: String) async {
        self.path = path
        self.hangups = await UnixSignalsSequence(trapping: .sighup)
    }

    /// Reloads the file into `cluster` on every SIGHUP until cancelled. A file that cannot be read, or lists no
    /// worker, is reported and changes nothing.
    func serve(_ cluster: Cluster) async {
        for await _ in self.hangups {
            let hosts: HostsFile
            do {
                hosts = try HostsFile.load(path: self.path)
            } catch {
                printError("SIGHUP: cannot reload \(self.path), the workers stay as they are: \(error)")
                continue
            }
            guard !hosts.workers.isEmpty else {
                printError("SIGHUP: \(self.path) lists no workers; the workers stay as they are")
                continue
            }
            let changes = cluster.setWorkers(hosts.workers)
            let joined = changes.joined.map(\.description).joined(separator: ", ")
            let left = changes.left.map(\.description).joined(separator: ", ")
            printError("SIGHUP: reloaded \(self.path): \(changes.joined.count) joining [\(joined)], \(changes.left.count) leaving [\(left)]")
        }
    }
}
