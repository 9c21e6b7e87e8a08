#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FanoutJobs
import FanoutProtocol
import Logging
import NIOCore
import NIOPosix

/// A process-pool child: takes one job at a time over stdin and answers over stdout, in the wire's frames.
///
/// It greets its parent with a hello, answers each submit with started and then its result, and on drain
/// (its poison pill) says goodbye and returns. Logs go to stderr; stdout carries frames only.
///
/// A child is the worker's own program, started again with the same arguments and with
/// ``environmentVariable`` set to the parent's limits: so it registers the same kinds, and runs the user's kinds
/// as the worker would. It must reach ``run(configuration:logger:)`` without writing to stdout.
public enum ChildWorker {
    /// Set in a process-pool child's environment by the worker that starts it.
    public static let environmentVariable = "FANOUT_POOL_CHILD"

    /// What the parent set ``environmentVariable`` to; nil when this process is no child. Read once, and
    /// cleared from the environment, so that the processes a job starts are not taken for children.
    private static let inherited: String? = {
        guard let value = getenv(environmentVariable) else { return nil }
        defer { unsetenv(environmentVariable) }
        return String(cString: value)
    }()

    /// Whether this process was started as a process-pool child.
    public static var isChild: Bool { Self.inherited != nil }

    /// Serves the parent worker over stdin and stdout with `configuration`'s kinds, and the parent's limits,
    /// until it drains.
    public static func run(configuration: WorkerConfiguration, logger: Logger) async throws {
        var configuration = configuration
        if let inherited = Self.inherited {
            guard let settings = ChildSettings(environmentValue: inherited) else {
                throw WorkerError(
                    .invalidChildSettings,
                    "\(Self.environmentVariable) is \"\(inherited.prefix(200))\", not a worker's settings for its child"
                )
            }
            settings.apply(to: &configuration)
        }
        // The parent stops its children with the drain message, after their jobs; a SIGTERM or SIGINT meant
        // for the whole process group must not cut a job short.
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)

        let threads = NIOThreadPool(numberOfThreads: 1)
        threads.start()
        let environment = configuration.makeJobEnvironment(threads: threads, logger: logger)
        let served: Result<Void, any Error>
        do {
            try await Self.serve(kinds: configuration.kinds, environment: environment, threads: threads, configuration: configuration, logger: logger)
            served = .success(())
        } catch {
            served = .failure(error)
        }
        try? await environment.httpClient.shutdown()
        try? await threads.shutdownGracefully()
        try served.get()
    }

    private static func serve(
        kinds: JobKinds,
        environment: JobEnvironment,
        threads: NIOThreadPool,
        configuration: WorkerConfiguration,
        logger: Logger
    ) async throws {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let ended = eventLoop.makePromise(of: Void.self)
        let channel: any Channel
        do {
            channel = try await NIOPipeBootstrap(group: eventLoop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addMessageFraming(limits: configuration.frameLimits)
                        try channel.pipeline.syncOperations.addHandler(
                            ChildSessionHandler(kinds: kinds, environment: environment, threads: threads, ended: ended, logger: logger)
                        )
                    }
                }
                .takingOwnershipOfDescriptors(input: STDIN_FILENO, output: STDOUT_FILENO)
                .get()
        } catch {
            ended.fail(error)
            throw error
        }
        try await withTaskCancellationHandler {
            try await ended.futureResult.get()
        } onCancel: {
            channel.close(promise: nil)
        }
    }
}
