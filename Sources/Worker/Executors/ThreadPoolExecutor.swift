import FanoutJobRunners
import FanoutProtocol
import Logging
import NIOPosix

/// N OS threads in this process, as Python's `ThreadPoolExecutor`.
///
/// CPU-bound jobs run on the pool's threads; sleeps and downloads wait without holding one, but still hold
/// their slot, so at most N jobs run at once.
final class ThreadPoolExecutor: SlotExecutor {
    let poolKind = PoolKind.threads
    let slotCount: Int
    private let threads: NIOThreadPool
    private let runner: JobRunner
    private let stopped: AsyncStream<Void>
    private let stop: AsyncStream<Void>.Continuation
    private let logger: Logger

    /// The pool's threads start here and stop when ``run()`` returns.
    init(size: Int, flags: FlagDownloader, limits: FrameLimits, crashOnPrime: UInt64? = nil, logger: Logger) {
        self.slotCount = size
        self.threads = NIOThreadPool(numberOfThreads: size)
        self.threads.start()
        var runner = JobRunner(threads: self.threads, flags: flags, limits: limits)
        runner.crashOnPrime = crashOnPrime
        self.runner = runner
        (self.stopped, self.stop) = AsyncStream.makeStream()
        self.logger = logger
    }

    func run() async {
        for await _ in self.stopped {}
        do {
            try await self.threads.shutdownGracefully()
        } catch {
            self.logger.warning("thread pool did not shut down cleanly", metadata: ["error": "\(error)"])
        }
    }

    func execute(_ submit: Submit, slot: Int, started: @escaping @Sendable () -> Void) async -> JobOutcome {
        started()
        return await self.runner.run(submit.spec)
    }

    func abandon(_ job: JobID, in slot: Int) {
        // A thread cannot be stopped from outside; the job's answer has gone, and the slot frees when it returns.
        self.logger.info(
            "job ran past its deadline; its thread finishes it",
            metadata: ["worker.slot": "\(slot)", "job.id": "\(job.rawValue)"]
        )
    }

    func shutdown() {
        self.stop.finish()
    }
}
