import FanoutProtocol

/// One point of a sweep: how many workers, of which pool kind, with how many slots each.
public struct ClusterShape: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var workers: Int
    public var pool: PoolKind
    /// Slots per worker; rounded down when the workers of a hosts file differ.
    public var size: Int
    /// Jobs the shape runs at once.
    public let slots: Int

    public init(workers: Int, pool: PoolKind, size: Int) {
        self.workers = workers
        self.pool = pool
        self.size = size
        self.slots = workers == 0 ? 1 : workers * size
    }

    /// Workers with `slots` between them, not necessarily the same number each.
    public init(workers: Int, pool: PoolKind, slots: Int) {
        self.workers = workers
        self.pool = pool
        self.size = max(1, slots / max(1, workers))
        self.slots = slots
    }

    /// No cluster: the jobs one after another in the coordinator's own process, the sequential baseline.
    public static let sequential = ClusterShape(workers: 0, pool: .threads, size: 1)

    public var isSequential: Bool { self.workers == 0 }

    /// `sequential` for the baseline, else the pool kind.
    public var poolName: String { self.isSequential ? "sequential" : self.pool.description }

    public var description: String {
        if self.isSequential { return "sequential, in process" }
        if self.slots != self.workers * self.size { return "\(self.workers) × \(self.pool), \(self.slots) slots" }
        return "\(self.workers) × \(self.pool) × \(self.size)"
    }

    public static func < (lhs: ClusterShape, rhs: ClusterShape) -> Bool {
        (lhs.pool.rawValue, lhs.workers, lhs.size) < (rhs.pool.rawValue, rhs.workers, rhs.size)
    }
}
