/// A job whose work is CPU-bound: it runs on one of its slot's OS threads, never on the Swift concurrency pool
/// or an event loop, and a batch of it takes one trip to a thread.
public protocol ComputeJob: Job {
    /// Does the job on the calling thread.
    func compute() throws -> Output
}

extension ComputeJob {
    @inlinable
    public func run(in context: JobContext) async throws -> Output {
        try await context.compute { try self.compute() }
    }

    @inlinable
    public static func runBatch(_ jobs: [Self], in context: JobContext) async -> [Result<Output, JobFailure>] {
        do {
            return try await context.compute {
                jobs.map { job in Result { try job.compute() }.mapError { JobFailure($0, kind: Self.kind) } }
            }
        } catch {
            let failure = JobFailure(error, kind: Self.kind)
            return jobs.map { _ in .failure(failure) }
        }
    }
}
