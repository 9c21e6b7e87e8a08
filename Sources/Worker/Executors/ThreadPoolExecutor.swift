import FanoutJobs
import FanoutProtocol
import Logging
import NIOCore
import NIOPosix

/// N OS threads in this process, as Python's `ThreadPoolExecutor`.
///
/// CPU-bound jobs run on the pool's threads; sleeps and downloads wait without holding one, but still hold
/// their slot, so at most N jobs run at once.
final class ThreadPoolExecutor: SlotExecutor {
    let poolKind = PoolKind.threads
    let slotCount: Int
    private let threads: NIOThreadPool
    private let kinds: JobKinds
    private let environment: JobEnvironment
    private let stopped: AsyncStream<Void>
    private let stop: AsyncStream<Void>.Continuation
    private let logger: Logger

    /// The pool's threads start here and stop when ``run()`` returns, with the environment's HTTP client.
    init(size: Int, kinds: JobKinds, configuration: WorkerConfiguration, logger: Logger) {
        self.slotCount = size
        self.threads = NIOThreadPool(numberOfThreads: size)
        self.threads.start()
        self.kinds = kinds
        self.environment = configuration.makeJobEnvironment(threads: self.threads, logger: logger)
        (self.stopped, self.stop) = AsyncStream.makeStream()
        self.logger = logger
    }

    func run() async {
        for await _ in self.stopped {}
        do {
            try await self.environment.httpClient.shutdown()
            try await self.threads.shutdownGracefully()
        } catch {
            self.logger.warning("thread pool did not shut down cleanly", metadata: ["error": "\(error)"])
        }
    }

    func execute(_ submit: Submit, slot: Int, origin: JobOrigin, started: @escaping @Sendable () -> Void) async -> JobOutcome {
        started()
        let context = JobContext(
            jobID: submit.jobID,
            attempt: Int(submit.attempt),
            slot: slot,
            requester: origin.requester,
            transferFolder: origin.transferFolder,
            environment: self.environment
        )
        return await self.kinds.run(submit.kind, payload: submit.payload, context: context)
    }

    func runsWithoutTask(_ kind: JobKindID) -> Bool {
        self.kinds.computesOnThread(kind) || self.kinds.runsOnEventLoop(kind)
    }

    func start(
        _ submit: Submit,
        slot: Int,
        on eventLoop: any EventLoop,
        started: @escaping @Sendable () -> Void,
        then done: @escaping @Sendable (JobOutcome) -> Void
    ) {
        let kinds = self.kinds
        let limit = self.environment.maximumOutputLength
        guard kinds.runsOnEventLoop(submit.kind) else {
            started()
            return self.threads.compute(submit, kinds: kinds, maximumOutputLength: limit, then: done)
        }
        // A turn of the loop of its own: the job may be called from another loop or a thread, and a future that
        // is already complete must not answer it before this returns.
        eventLoop.execute {
            // Posted in the same turn as a result ready at once, which then leaves without it.
            started()
            guard let outcome = kinds.start(submit.kind, payload: submit.payload, on: eventLoop, maximumOutputLength: limit) else {
                return done(.failed(.unknownKind(submit.kind, among: kinds.names.count)))
            }
            // Never failed: a job that throws is an outcome.
            outcome.whenSuccess(done)
        }
    }

    func abandon(_ job: JobID, in slot: Int, because reason: JobStopReason) {
        // A job in a task of its own has had it cancelled, which stops a command; a thread cannot be stopped
        // from outside, and the slot frees when the job returns.
        self.logger.info(
            "job answered early",
            metadata: ["worker.slot": "\(slot)", "job.id": "\(job.rawValue)", "reason": "\(reason)"]
        )
    }

    func shutdown() {
        self.stop.finish()
    }
}
