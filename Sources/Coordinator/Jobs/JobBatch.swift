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
    @inlinable
    public func output(from output: JobOutput) -> [Result<Item.Output, JobFailure>]? {
        guard case .batch(let outcomes) = output, outcomes.count == self.jobs.count else { return nil }
        var outputs: [Result<Item.Output, JobFailure>] = []
        outputs.reserveCapacity(outcomes.count)
        for index in outcomes.indices {
            switch outcomes[index] {
            case .ok(let output):
                if let value = self.jobs[index].output(from: output) {
                    outputs.append(.success(value))
                } else {
                    outputs.append(.failure(Self.unexpected(output, for: self.jobs[index].spec.kind)))
                }
            case .failed(let failure):
                outputs.append(.failure(failure))
            case .cancelled:
                outputs.append(.failure(JobFailure(code: .jobFailed, message: "cancelled")))
            }
        }
        return outputs
    }

    @usableFromInline
    static func unexpected(_ output: JobOutput, for kind: JobKind) -> JobFailure {
        JobFailure(code: .invalidJob, message: "the worker answered a \(kind) job with a \(output.kind) output")
    }
}
