#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FanoutJobRunners
import FanoutProtocol
import Logging
import NIOCore
import NIOPosix

/// A process-pool child: takes one job at a time over stdin and answers over stdout, in the wire's frames.
///
/// It greets its parent with a hello, answers each submit with started and then its result, and on drain
/// (its poison pill) says goodbye and returns. Logs go to stderr; stdout carries frames only.
public enum ChildWorker {
    public struct Configuration: Sendable {
        public var frameLimits: FrameLimits
        public var httpConnectTimeout: TimeAmount
        public var httpReadTimeout: TimeAmount
        public var httpRequestTimeout: TimeAmount
        /// See ``WorkerConfiguration/crashOnPrime``.
        public var crashOnPrime: UInt64?

        public init(
            frameLimits: FrameLimits,
            httpConnectTimeout: TimeAmount,
            httpReadTimeout: TimeAmount,
            httpRequestTimeout: TimeAmount
        ) {
            self.frameLimits = frameLimits
            self.httpConnectTimeout = httpConnectTimeout
            self.httpReadTimeout = httpReadTimeout
            self.httpRequestTimeout = httpRequestTimeout
        }
    }

    public static func run(configuration: Configuration, logger: Logger) async throws {
        // The parent stops its children with the drain message, after their jobs; a SIGTERM or SIGINT meant
        // for the whole process group must not cut a job short.
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)

        let threads = NIOThreadPool(numberOfThreads: 1)
        threads.start()
        let client = FlagDownloader.makeClient(
            connectTimeout: configuration.httpConnectTimeout,
            readTimeout: configuration.httpReadTimeout
        )
        var runner = JobRunner(
            threads: threads,
            flags: FlagDownloader(
                client: client,
                maximumBodySize: JobResult.maximumFlagBodyLength(within: configuration.frameLimits),
                requestTimeout: configuration.httpRequestTimeout
            ),
            limits: configuration.frameLimits
        )
        runner.crashOnPrime = configuration.crashOnPrime
        let served: Result<Void, any Error>
        do {
            try await Self.serve(runner: runner, configuration: configuration, logger: logger)
            served = .success(())
        } catch {
            served = .failure(error)
        }
        try? await client.shutdown()
        try? await threads.shutdownGracefully()
        try served.get()
    }

    private static func serve(runner: JobRunner, configuration: Configuration, logger: Logger) async throws {
        let channel = try await NIOPipeBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .takingOwnershipOfDescriptors(input: STDIN_FILENO, output: STDOUT_FILENO) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(MessageDecoder(limits: configuration.frameLimits))
                    )
                    try channel.pipeline.syncOperations.addHandler(MessageEncoder(limits: configuration.frameLimits))
                    return try NIOAsyncChannel<Message, Message>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(
                .hello(
                    .worker(
                        softwareVersion: SoftwareVersion.current,
                        hostName: HostName.current,
                        capabilities: WorkerCapabilities(poolKind: .processes, slots: 1, cores: UInt16(clamping: System.coreCount))
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
                    let outcome = await runner.run(submit.spec)
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
