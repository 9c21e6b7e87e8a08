/// What a worker offers, announced in its hello.
public struct WorkerCapabilities: Hashable, Sendable {
    public var poolKind: PoolKind
    /// Jobs the worker runs at once; at least 1.
    public var slots: UInt16
    /// Cores the worker's host reports.
    public var cores: UInt16

    public init(poolKind: PoolKind, slots: UInt16, cores: UInt16) {
        self.poolKind = poolKind
        self.slots = slots
        self.cores = cores
    }
}
