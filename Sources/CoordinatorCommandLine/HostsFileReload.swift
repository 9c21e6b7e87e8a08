import FanoutCoordinator
import UnixSignals

/// Re-reads a run's hosts file on SIGHUP, as GNU Parallel re-reads `--sshloginfile`: hosts added join the run,
/// hosts removed leave it once they have finished what they run.
enum HostsFileReload {
    /// Reloads `path` into `cluster` on every SIGHUP until cancelled. A file that cannot be read, or lists no
    /// worker, is reported and changes nothing.
    static func serve(_ path: String, for cluster: Cluster) async {
        for await _ in await UnixSignalsSequence(trapping: .sighup) {
            let hosts: HostsFile
            do {
                hosts = try HostsFile.load(path: path)
            } catch {
                printError("SIGHUP: cannot reload \(path), the workers stay as they are: \(error)")
                continue
            }
            guard !hosts.workers.isEmpty else {
                printError("SIGHUP: \(path) lists no workers; the workers stay as they are")
                continue
            }
            let changes = cluster.setWorkers(hosts.workers)
            let joined = changes.joined.map(\.description).joined(separator: ", ")
            let left = changes.left.map(\.description).joined(separator: ", ")
            printError("SIGHUP: reloaded \(path): \(changes.joined.count) joining [\(joined)], \(changes.left.count) leaving [\(left)]")
        }
    }
}
