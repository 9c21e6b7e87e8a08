import AsyncHTTPClient
import FanoutJobs
import FanoutLocking
import FanoutProtocol
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// The worker daemon: a mutual-TLS listener whose sessions feed one pool of threads or processes.
///
/// Runs until graceful shutdown, then stops accepting, drains every session (each finishes its jobs, sends
/// the results and says goodbye), stops the pool, and returns.
public final class WorkerServer: Service {
    public let configuration: WorkerConfiguration
    private let logger: Logger
    private let onListening: @Sendable (SocketAddress) -> Void
    private let registry = SessionRegistry()
    /// The running pool, for inspection while the server runs.
    private let executor = Locked<(any SlotExecutor)?>(nil)
    private let dispatcher = Locked<JobDispatcher?>(nil)
    /// Counts jobs, when metrics were asked for.
    public let metrics: WorkerMetrics?

    /// - Parameter onListening: called once with the bound address, before the first connection is accepted.
    public init(
        configuration: WorkerConfiguration,
        logger: Logger,
        onListening: @escaping @Sendable (SocketAddress) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.onListening = onListening
        self.metrics = configuration.metricsFactory.map { WorkerMetrics(kinds: configuration.kinds, factory: $0) }
    }

    /// Its slots, queue and sessions now; nil before it listens and once it has stopped.
    public var load: WorkerLoad? {
        guard let dispatcher = self.dispatcher.withLock({ $0 }) else { return nil }
        let (slots, busy, queued) = dispatcher.load
        return WorkerLoad(slots: slots, busySlots: busy, queuedJobs: queued, sessions: self.registry.count)
    }

    public func run() async throws {
        let configuration = self.configuration
        // Run folders a killed worker could not remove.
        try await NIOThreadPool.singleton.runIfActive {
            TemporaryFolder.removeAbandoned(prefix: SessionFiles.folderPrefix, in: configuration.runFolderParent)
        }
        let tls = try MutualTLS.makeServerContext(files: configuration.tlsFiles)
        switch configuration.poolKind {
        case .threads:
            let executor = ThreadPoolExecutor(
                size: configuration.poolSize,
                kinds: configuration.kinds,
                configuration: configuration,
                logger: self.logger
            )
            do {
                try await self.run(tls: tls, executor: executor)
            } catch {
                // Never served: its threads and HTTP client are still released.
                executor.shutdown()
                await executor.run()
                throw error
            }
        case .processes:
            let spawner = configuration.kinds.anySpawnsProcess
                ? ThreadPoolExecutor(size: configuration.poolSize, kinds: configuration.kinds, configuration: configuration, logger: self.logger)
                : nil
            let executor = ProcessPoolExecutor(
                size: configuration.poolSize,
                command: configuration.childCommand,
                kinds: configuration.kinds.names,
                settings: ChildSettings(configuration),
                spawner: spawner.map { (configuration.kinds, $0) },
                logger: self.logger
            )
            do {
                try await self.run(tls: tls, executor: executor)
            } catch {
                // Never served: the spawner's threads and HTTP client are still released.
                spawner?.shutdown()
                await spawner?.run()
                throw error
            }
        }
    }

    private func run(tls: NIOSSLContext, executor: any SlotExecutor) async throws {
        let configuration = self.configuration
        self.executor.withLock { $0 = executor }
        defer { self.executor.withLock { $0 = nil } }
        let dispatcher = JobDispatcher(
            executor: executor,
            kinds: configuration.kinds,
            queueCapacity: configuration.queueCapacity,
            clock: configuration.clock,
            metrics: self.metrics,
            logger: self.logger
        )
        self.dispatcher.withLock { $0 = dispatcher }
        defer { self.dispatcher.withLock { $0 = nil } }
        let hello = Hello.worker(
            softwareVersion: SoftwareVersion.current,
            hostName: configuration.hostName,
            capabilities: WorkerCapabilities(
                poolKind: configuration.poolKind,
                slots: UInt16(clamping: configuration.poolSize),
                cores: UInt16(clamping: System.coreCount),
                kinds: configuration.kinds.names
            )
        )

        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: configuration.host, port: configuration.port) { [logger = self.logger, registry = self.registry] channel in
                channel.eventLoop.makeCompletedFuture {
                    let outbox = SessionOutbox()
                    let session = WorkerSession(
                        id: registry.open(outbox),
                        channel: channel,
                        outbox: outbox,
                        files: SessionFiles(
                            parent: configuration.runFolderParent,
                            allowed: configuration.commandPolicy != .refused,
                            maximumBytes: configuration.maximumTransferBytes
                        ),
                        dispatcher: dispatcher,
                        hello: hello,
                        handshakeTimeout: configuration.handshakeTimeout,
                        clock: configuration.clock,
                        logger: logger
                    )
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(NIOSSLServerHandler(context: tls))
                    try pipeline.addHandler(IdleStateHandler(readTimeout: configuration.idleTimeout))
                    try pipeline.addHandler(IdleConnectionCloser(logger: logger))
                    try pipeline.addMessageFraming(limits: configuration.frameLimits)
                    try pipeline.addHandler(SessionHandler(session: session))
                    return session
                }
            }
        guard let address = listener.channel.localAddress else {
            throw ChannelError.unknownLocalAddress
        }
        self.logger.info(
            "worker listening",
            metadata: [
                "worker.address": "\(ListenAddress(address).map(String.init(describing:)) ?? "\(address)")", "worker.pool": "\(configuration.poolKind)",
                "worker.slots": "\(configuration.poolSize)",
            ]
        )
        self.onListening(address)

        await withDiscardingTaskGroup { group in
            group.addTask { await executor.run() }
            group.addTask { await dispatcher.run() }
            await withGracefulShutdownHandler {
                await self.serve(listener)
            } onGracefulShutdown: {
                self.logger.info("stopping: no new connections; draining sessions", metadata: ["sessions": "\(self.registry.count)"])
                listener.channel.close(promise: nil)
                self.registry.drainAll()
            }
            dispatcher.finish()
            executor.shutdown()
        }
        self.logger.info("worker stopped")
    }

    /// Serves each accepted connection's session until the listener closes, then waits for every session to end.
    private func serve(_ listener: NIOAsyncChannel<WorkerSession, Never>) async {
        await withDiscardingTaskGroup { sessions in
            do {
                try await listener.executeThenClose { connections in
                    for try await session in connections {
                        sessions.addTask {
                            await session.run()
                            self.registry.close(session.id)
                        }
                    }
                }
            } catch {
                self.logger.error("listener failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The process id of each process-pool child, nil for a slot between children; empty for a thread pool.
    var childProcessIDs: [Int32?] {
        guard let pool = self.executor.withLock({ $0 }) as? ProcessPoolExecutor else { return [] }
        return pool.childProcessIDs
    }
}
