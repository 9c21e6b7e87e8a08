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

    /// Jobs the shape runs at once.
    public var slots: Int { self.workers * self.size }

    public var description: String { "\(self.workers) × \(self.pool) × \(self.size)" }

    public static func < (lhs: ClusterShape, rhs: ClusterShape) -> Bool {
        (lhs.pool.rawValue, lhs.workers, lhs.size) < (rhs.pool.rawValue, rhs.workers, rhs.size)
    }
}
