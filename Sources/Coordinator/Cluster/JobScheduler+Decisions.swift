import FanoutProtocol

/// What the scheduler keeps of each job, and what its calls decide for the caller to carry out.
extension JobScheduler {
    struct Entry {
        var future: AnyJobFuture
        var timeoutNanoseconds: UInt64
        /// The job's kind, by its place in ``JobScheduler/kinds``; 32 bits, so that an entry stays 32 bytes.
        var kind: Int32
        /// 0 until first sent; counts each sending.
        var attempt: UInt16 = 0
        var worker: WorkerID?
        var started = false
        /// Resolved already (cancelled while a worker held it); kept until that worker lets go.
        var abandoned = false
    }

    struct Assignment {
        var worker: WorkerID
        var submit: Submit
        var future: AnyJobFuture
    }

    enum Cancellation {
        /// Not known here: done already, or never submitted.
        case unknown
        /// Taken from the queue: resolve it as cancelled.
        case removedFromQueue(AnyJobFuture)
        /// A worker holds it but has not started it: resolve it as cancelled and tell that worker.
        case withdrawn(AnyJobFuture, from: WorkerID)
        /// It has started; it cannot be cancelled.
        case running
    }

    /// What became of a job whose worker's child process died running it.
    enum Crash {
        /// The answer was for an attempt no longer current: dropped.
        case stale
        /// Back in the queue for another attempt (its future nil when it was already resolved).
        case retried(AnyJobFuture?, [Assignment])
        /// Out of attempts: fail the future with the error.
        case exhausted(AnyJobFuture, JobError, [Assignment])
    }

    /// What became of the jobs of a worker that was lost.
    struct Loss {
        /// Jobs back in the queue for another attempt.
        var requeued: [AnyJobFuture] = []
        /// Jobs that ran out of attempts, with the error to fail them with.
        var exhausted: [(AnyJobFuture, JobError)] = []
        /// Jobs that cannot run because no worker left, or coming back, runs their kind.
        var stranded: [(AnyJobFuture, JobError)] = []
        var assignments: [Assignment] = []
    }
}
