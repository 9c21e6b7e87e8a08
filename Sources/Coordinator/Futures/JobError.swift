import FanoutProtocol

/// Why a job gave no output: which job, on which worker, after how many attempts, and the reason.
public struct JobError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable, CustomStringConvertible {
        /// The worker ran it and reported a failure.
        case failed(JobFailure)
        /// It was cancelled before it started.
        case cancelled
        /// Every worker it was given to was lost before it finished.
        case workersLost(lastError: String)
        /// Every attempt ended with its worker, or the worker's child process, dying while it ran: the job
        /// itself is the likely cause. The workers, as `host:port`, in the order it took them down.
        case crashedWorkers([String])
        /// No worker was left to run it.
        case noWorkers
        /// The cluster was shut down before it ran.
        case shutDown
        /// It was still running when the run was stopped early and the grace period for running jobs ran out.
        case interrupted(grace: Duration)
        /// The worker's answer does not decode as the kind's output.
        case undecodableOutput(String)
        /// No worker connected, or coming back, runs the job's kind: the kind, and the kinds each worker runs.
        case kindNotRun(JobKindName, workers: [String: [JobKindName]])

        public var description: String {
            switch self {
            case .failed(let failure): failure.description
            case .cancelled: "cancelled"
            case .workersLost(let lastError): "its worker was lost (\(lastError))"
            case .crashedWorkers(let workers): "it took down every worker it ran on: \(workers.joined(separator: ", "))"
            case .noWorkers: "no worker is left to run it"
            case .shutDown: "the cluster was shut down before it ran"
            case .interrupted(let grace): "still running \(grace) after the run was stopped; abandoned"
            case .undecodableOutput(let reason): "its output does not decode: \(reason)"
            case .kindNotRun(let kind, let workers): JobError.describe(kind, notRunBy: workers)
            }
        }
    }

    fileprivate static func describe(_ kind: JobKindName, notRunBy workers: [String: [JobKindName]]) -> String {
        guard !workers.isEmpty else { return "no worker runs \(kind)" }
        let each = workers.sorted { $0.key < $1.key }.map { worker, kinds in
            let versions = kinds.filter { $0.name == kind.name }
            return versions.isEmpty
                ? "\(worker) runs no version of \(kind.name) (it runs \(kinds.count) kinds)"
                : "\(worker) runs \(versions.map(\.description).joined(separator: ", "))"
        }
        return "no worker runs \(kind): \(each.joined(separator: "; "))"
    }

    public var job: JobID
    /// The job's place in its batch, for a job that ran as part of a ``JobBatch``; nil otherwise.
    public var batchIndex: Int?
    public var kind: JobKindName
    /// The worker that ran it last, as `host:port`; nil when none did.
    public var worker: String?
    public var attempts: Int
    public var reason: Reason

    public init(job: JobID, batchIndex: Int? = nil, kind: JobKindName, worker: String?, attempts: Int, reason: Reason) {
        self.job = job
        self.batchIndex = batchIndex
        self.kind = kind
        self.worker = worker
        self.attempts = attempts
        self.reason = reason
    }

    public var description: String {
        var text = "\(self.job)"
        if let batchIndex { text += " item \(batchIndex)" }
        text += " (\(self.kind))"
        if let worker { text += " on \(worker)" }
        if self.attempts > 1 { text += " after \(self.attempts) attempts" }
        return text + ": \(self.reason)"
    }
}
