import FanoutProtocol

/// One finished job as a job log shows it: what it was, where it ran, when, and how it ended.
public struct JobRecord: Hashable, Sendable {
    public var job: JobID
    public var kind: JobKindName
    /// The job's argument: the number, the country, the duration.
    public var input: String
    /// `host:port` of the worker that ran it last; nil if none did.
    public var worker: String?
    public var slot: Int?
    public var attempts: Int
    public var times: JobTimes
    /// Measured by the worker; nil when no worker answered.
    public var timing: JobTiming?
    public var state: JobState
    /// Why it failed or was cancelled; nil when it finished.
    public var error: String?

    /// - Parameter input: the job's input as its kind describes it (``Job/inputDescription``).
    public init(_ future: AnyJobFuture, input: String) {
        let reported = future.reported
        self.job = future.id
        self.kind = future.kind
        self.input = input
        self.worker = reported.worker
        self.timing = reported.timing
        self.slot = reported.timing?.slot
        self.attempts = reported.attempts
        self.times = reported.times
        self.state = reported.state
        if case .failure(let error)? = reported.outcome {
            self.error = "\(error.reason)"
        } else {
            self.error = nil
        }
    }

    /// Time on the wire and in the coordinator's hands: from sending to the answer, less what the worker
    /// spent queueing and running the job. Nil when it was never sent or no worker answered.
    public var networkNanoseconds: UInt64? {
        guard let sent = self.times.sent, let ended = self.times.ended, let timing = self.timing, ended >= sent else {
            return nil
        }
        return JobTimes.network(sent: sent, answered: ended, atWorker: timing.queued.wireNanoseconds + timing.ran.wireNanoseconds)
    }

    /// The slot that ran it last, and when; nil when none did (cancelled while queued, or failed with its worker).
    public var slotRun: SlotRun? {
        guard let timing = self.timing, let started = timing.started, let ended = timing.ended, let worker = self.worker,
            let slot = timing.slot
        else { return nil }
        return SlotRun(worker: worker, slot: slot, started: started, ended: ended)
    }

    /// From submit to end, never backwards: where a report puts a job no slot ran.
    public var submittedToEnded: (start: UInt64, end: UInt64) {
        (self.times.submitted, max(self.times.ended ?? self.times.submitted, self.times.submitted))
    }
}

/// Where and when a worker slot ran a job, on the coordinator's wall clock, in nanoseconds since the Unix epoch.
public struct SlotRun: Hashable, Sendable {
    /// `host:port`.
    public var worker: String
    public var slot: Int
    public var started: UInt64
    public var ended: UInt64
}
