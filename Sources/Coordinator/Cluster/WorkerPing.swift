/// One worker's answer to ``Cluster/ping()``.
public struct WorkerPing: Sendable {
    public var worker: ConnectedWorker
    /// Time on the wire both ways; nil when the worker did not answer.
    public var roundTrip: Duration?
    /// How far the worker's wall clock runs ahead of the coordinator's (negative when behind), as the best of
    /// the recent pongs estimates; nil before any pong.
    public var clockOffset: Duration?
    /// How far ``clockOffset`` may be off: half the round trip of the exchange it comes from.
    public var clockOffsetBound: Duration?
}
