/// How a worker runs its jobs.
public enum PoolKind: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// OS threads inside the worker process.
    case threads = 1
    /// Child processes, one job at a time each.
    case processes = 2

    public var description: String {
        switch self {
        case .threads: "threads"
        case .processes: "processes"
        }
    }
}
