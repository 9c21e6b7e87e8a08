import FanoutProtocol

/// Jobs of one type run one after another in one slot, sent in one frame and answered in one, as the chunks
/// of Python's `executor.map(fn, items, chunksize=n)`.
///
/// Tiny jobs pay the cluster's cost per frame once per batch instead of once each. Each job still ends on
/// its own: one failing leaves the others' outputs intact.
public struct JobBatch<Item: Job>: Job {
    public let jobs: [Item]

    /// - Throws: ``ClusterError`` when `jobs` is empty or holds a batch; batches do not nest.
    public init(_ jobs: [Item]) throws {
        guard !jobs.isEmpty else { throw ClusterError("a batch holds at least one job") }
        if let index = jobs.firstIndex(where: { $0.spec.kind == .batch }) {
            throw ClusterError("job \(index) of a batch is itself a batch; batches do not nest")
        }
        self.jobs = jobs
    }

    public var spec: JobSpec { .batch(self.jobs.map(\.spec)) }

    /// Each job's output, or the failure that took its place, in the batch's order.
    public func output(from output: JobOutput) -> [Result<Item.Output, JobFailure>]? {
        guard case .batch(let outcomes) = output, outcomes.count == self.jobs.count else { return nil }
        return zip(self.jobs, outcomes).map { job, outcome in
            switch outcome {
            case .ok(let output):
                guard let value = job.output(from: output) else {
                    return .failure(
                        JobFailure(code: .invalidJob, message: "the worker answered a \(job.spec.kind) job with a \(output.kind) output")
                    )
                }
                return .success(value)
            case .failed(let failure):
                return .failure(failure)
            case .cancelled:
                return .failure(JobFailure(code: .jobFailed, message: "cancelled"))
            }
        }
    }
}
