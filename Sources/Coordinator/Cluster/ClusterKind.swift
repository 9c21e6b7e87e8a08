import FanoutProtocol

/// A kind of job as one cluster knows it: its name, the scheduler's number for it, and the cluster, which can
/// take back the kind's pending jobs.
///
/// One per kind per cluster, shared by the kind's futures, so that a pending job carries one reference where
/// it would carry the name and the cluster.
final class ClusterKind: Sendable {
    let name: JobKindName
    /// The kind's number in the cluster's ``JobScheduler``.
    let number: Int
    /// Weak, as the cluster holds its futures.
    weak let canceller: (any JobCanceller)?

    init(name: JobKindName, number: Int, canceller: (any JobCanceller)?) {
        self.name = name
        self.number = number
        self.canceller = canceller
    }
}
