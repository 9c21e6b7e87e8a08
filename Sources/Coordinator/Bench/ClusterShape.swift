import FanoutProtocol

/// One point of a sweep: how many workers, of which pool kind, with how many slots each.
public struct ClusterShape: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var workers: Int
    public var pool: PoolKind
    public var size: Int

    public init(workers: Int, pool: PoolKind, size: Int) {
        self.workers = workers
        self.pool = pool
        self.size = size
    }

    /// No cluster: the jobs one after another in the coordinator's own process, the sequential baseline.
    public static let sequential = ClusterShape(workers: 0, pool: .threads, size: 1)

    public var isSequential: Bool { self.workers == 0 }

    /// Jobs the shape runs at once.
    public var slots: Int { self.isSequential ? 1 : self.workers * self.size }

    /// `sequential` for the baseline, else the pool kind.
    public var poolName: String { self.isSequential ? "sequential" : self.pool.description }

    public var description: String {
        self.isSequential ? "sequential, in process" : "\(self.workers) × \(self.pool) × \(self.size)"
    }

    public static func < (lhs: ClusterShape, rhs: ClusterShape) -> Bool {
        (lhs.pool.rawValue, lhs.workers, lhs.size) < (rhs.pool.rawValue, rhs.workers, rhs.size)
    }
}
