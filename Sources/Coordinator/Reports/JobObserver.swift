/// Hears of every job of a cluster, once when it is submitted and once when it is done, and of its workers
/// coming and going.
public protocol JobObserver: Sendable {
    func jobSubmitted(_ job: AnyJobFuture)
    func jobDone(_ record: JobRecord)
    /// Jobs submitted one after another, in order: by default, each passed to ``jobSubmitted(_:)``. An observer
    /// that takes a lock per job can take it once here.
    func jobsSubmitted(_ jobs: ArraySlice<AnyJobFuture>)
    /// Jobs done one after another, in order: by default, each passed to ``jobDone(_:)``.
    func jobsDone(_ records: ArraySlice<JobRecord>)
    /// A worker connected; `again` when it had been lost before.
    func workerConnected(_ worker: ConnectedWorker, again: Bool)
    /// A worker was lost: its connection broke, or it went silent past the heartbeat timeout.
    func workerLost(_ address: WorkerAddress, reason: String)
    /// The cluster has closed every connection; what it recovered from on the way.
    func clusterStopped(_ reliability: ReliabilityCounts)
}

extension JobObserver {
    public func jobSubmitted(_ job: AnyJobFuture) {}

    public func jobsSubmitted(_ jobs: ArraySlice<AnyJobFuture>) {
        for job in jobs { self.jobSubmitted(job) }
    }

    public func jobsDone(_ records: ArraySlice<JobRecord>) {
        for record in records { self.jobDone(record) }
    }

    public func workerConnected(_ worker: ConnectedWorker, again: Bool) {}
    public func workerLost(_ address: WorkerAddress, reason: String) {}
    public func clusterStopped(_ reliability: ReliabilityCounts) {}
}
