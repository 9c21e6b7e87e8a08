/// Identifies one connected worker within a cluster.
struct WorkerID: Hashable, Comparable, Sendable, CustomStringConvertible {
    var rawValue: Int

    static func < (lhs: WorkerID, rhs: WorkerID) -> Bool { lhs.rawValue < rhs.rawValue }

    var description: String { "worker \(self.rawValue)" }
}
