/// Identifies one connected worker within a cluster.
struct WorkerID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Small, as every job the scheduler holds names its worker.
    var rawValue: Int32

    static func < (lhs: WorkerID, rhs: WorkerID) -> Bool { lhs.rawValue < rhs.rawValue }

    var description: String { "worker \(self.rawValue)" }
}
