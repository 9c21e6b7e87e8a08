import FanoutCoordinator
import FanoutProtocol

/// A cluster's jobs as they are submitted and as they end, and its workers as they come and go, for tests that
/// wait on any of them. Every stream ends when the cluster stops.
final class JobEvents: JobObserver {
    enum WorkerEvent: Equatable {
        case connected(WorkerAddress, again: Bool)
        case lost(WorkerAddress)
    }

    let submitted: AsyncStream<JobID>
    let done: AsyncStream<JobRecord>
    let workers: AsyncStream<WorkerEvent>
    private let submittedContinuation: AsyncStream<JobID>.Continuation
    private let doneContinuation: AsyncStream<JobRecord>.Continuation
    private let workersContinuation: AsyncStream<WorkerEvent>.Continuation

    init() {
        (self.submitted, self.submittedContinuation) = AsyncStream.makeStream()
        (self.done, self.doneContinuation) = AsyncStream.makeStream()
        (self.workers, self.workersContinuation) = AsyncStream.makeStream()
    }

    func jobSubmitted(_ job: AnyJobFuture) { self.submittedContinuation.yield(job.id) }
    func jobDone(_ record: JobRecord) { self.doneContinuation.yield(record) }
    func workerConnected(_ worker: ConnectedWorker, again: Bool) { self.workersContinuation.yield(.connected(worker.address, again: again)) }
    func workerLost(_ address: WorkerAddress, reason: String) { self.workersContinuation.yield(.lost(address)) }

    /// Ends every stream: the cluster has closed, and nothing more comes.
    func clusterStopped(_ reliability: ReliabilityCounts) {
        self.submittedContinuation.finish()
        self.doneContinuation.finish()
        self.workersContinuation.finish()
    }

    /// Waits for `event`, passing over others; false if the stream ends first.
    func waitFor(_ event: WorkerEvent) async -> Bool {
        for await seen in self.workers where seen == event {
            return true
        }
        return false
    }
}
