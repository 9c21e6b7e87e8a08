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
            try await Self.serve(kinds: configuration.kinds, environment: environment, configuration: configuration, logger: logger)
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
        configuration: WorkerConfiguration,
        logger: Logger
    ) async throws {
        let channel = try await NIOPipeBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .takingOwnershipOfDescriptors(input: STDIN_FILENO, output: STDOUT_FILENO) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addMessageFraming(limits: configuration.frameLimits)
                    return try NIOAsyncChannel<Message, Message>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(
                .hello(
                    .worker(
                        softwareVersion: SoftwareVersion.current,
                        hostName: HostName.current,
                        capabilities: WorkerCapabilities(
                            poolKind: .processes,
                            slots: 1,
                            cores: UInt16(clamping: System.coreCount),
                            kinds: kinds.names
                        )
                    )
                )
            )
            for try await message in inbound {
                switch message {
                case .submit(let submit):
                    // Started tells the parent the job reached this child: if the child dies before, the
                    // parent gives the job to the next child; after, the job failed with it.
                    try await outbound.write(.started(Started(jobID: submit.jobID, attempt: submit.attempt, slot: 0)))
                    let start = ContinuousClock.now
                    let startedAt = WallClock.system.now()
                    let context = JobContext(jobID: submit.jobID, attempt: Int(submit.attempt), slot: 0, environment: environment)
                    let outcome = await kinds.run(submit.kind, payload: submit.payload, context: context)
                    let result = JobResult(
                        jobID: submit.jobID,
                        attempt: submit.attempt,
                        outcome: outcome,
                        slot: 0,
                        runNanoseconds: JobDispatcher.nanoseconds(from: start, to: .now),
                        startedAt: startedAt
                    )
                    try await outbound.write(.result(result))
                case .drain:
                    try await outbound.write(.goodbye)
                    return
                case .ping(let ping):
                    let now = WallClock.system.now()
                    try await outbound.write(.pong(Pong(pingSentAt: ping.sentAt, receivedAt: now, sentAt: now)))
                default:
                    logger.error("child got an unexpected message from its parent", metadata: ["message": "\(message.type)"])
                    try await outbound.write(
                        .error(ErrorReport(code: .unexpectedMessage, message: "a child does not take \(message.type)"))
                    )
                    return
                }
            }
        }
    }
}
