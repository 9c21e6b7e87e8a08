/// What a worker offers, announced in its hello.
public struct WorkerCapabilities: Hashable, Sendable {
    public var poolKind: PoolKind
    /// Jobs the worker runs at once; at least 1.
    public var slots: UInt16
    /// Cores the worker's host reports.
    public var cores: UInt16
    /// The kinds of job the worker runs; a kind's place in this list is its ``JobKindID`` on the connection.
    public var kinds: [JobKindName]

    public init(poolKind: PoolKind, slots: UInt16, cores: UInt16, kinds: [JobKindName]) {
        self.poolKind = poolKind
        self.slots = slots
        self.cores = cores
        self.kinds = kinds
    }

    /// The number `kind` goes by on this worker's connection; nil when the worker does not run it.
    public func id(of kind: JobKindName) -> JobKindID? {
        self.kinds.firstIndex(of: kind).map { JobKindID(rawValue: UInt16($0)) }
    }
}
