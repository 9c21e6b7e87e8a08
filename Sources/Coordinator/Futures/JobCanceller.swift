/// Whoever can take a pending job back: the cluster that scheduled it.
protocol JobCanceller: AnyObject, Sendable {
    /// Cancels `future`'s job if it has not started; true when it is now cancelled.
    func cancel(_ future: AnyJobFuture) -> Bool
}
