/// Hears of every job of a cluster: once when it is submitted and once when it is done.
public protocol JobObserver: Sendable {
    func jobSubmitted(_ job: AnyJobFuture)
    func jobDone(_ record: JobRecord)
}

extension JobObserver {
    public func jobSubmitted(_ job: AnyJobFuture) {}
}
