import CoreMetrics
import FanoutJobs
import FanoutProtocol
import Logging
import NIOCore
import NIOPosix

/// Everything a worker daemon needs to run, with the defaults `worker` uses.
public struct WorkerConfiguration: Sendable {
    /// Address to listen on; port 0 picks a free port.
    public var host: String
    public var port: Int
    public var tlsFiles: TLSFiles
    /// The kinds of job the worker runs, listed in its hello.
    public var kinds: JobKinds
    public var poolKind: PoolKind
    /// Jobs run at once: threads or child processes. Default ``defaultPoolSize(for:cores:)``.
    public var poolSize: Int
    /// Jobs that may wait for a slot, over all sessions; more are answered `queue-full`.
    public var queueCapacity: Int
    public var frameLimits: FrameLimits
    /// How long a new connection has to send its hello.
    public var handshakeTimeout: Duration
    /// A connection with nothing from its coordinator for this long is closed (coordinators ping every second).
    public var idleTimeout: TimeAmount
    /// Flag downloads: connect timeout, read timeout (between bytes), and limit on the whole request.
    public var httpConnectTimeout: TimeAmount
    public var httpReadTimeout: TimeAmount
    public var httpRequestTimeout: TimeAmount
    /// How a process pool starts its children: by default this process's own binary with its own arguments,
    /// which must reach ``ChildWorker/run(configuration:logger:)`` with the same kinds (see
    /// ``ChildWorker/isChild``).
    public var childCommand: ChildCommand
    /// The host name this worker gives in its hello.
    public var hostName: String
    /// Which commands jobs may start (`--allow-exec`); none by default.
    public var commandPolicy: CommandPolicy = .refused
    /// Where each session's run folder, holding the files its coordinator sends, is made: the system's temporary
    /// folder by default.
    public var runFolderParent: String = TemporaryFolder.systemParent
    /// The most bytes of files one session may send (`put`): ``defaultMaximumTransferBytes`` by default.
    public var maximumTransferBytes: UInt64 = UInt64(WorkerConfiguration.defaultMaximumTransferBytes)

    /// 1 GiB.
    public static let defaultMaximumTransferBytes = 1 << 30
    /// Added to every wall-clock time the worker reports (pongs, job start times): zero in service; a test sets
    /// it to play a worker whose clock is wrong.
    public var clockSkew: Duration = .zero
    /// Where the worker's job counts go (``WorkerMetrics``); nil counts nothing.
    public var metricsFactory: (any MetricsFactory)?

    var clock: WallClock {
        let (seconds, attoseconds) = self.clockSkew.components
        return WallClock(skewNanoseconds: Int64(clamping: Int128(seconds) * 1_000_000_000 + Int128(attoseconds / 1_000_000_000)))
    }

    public init(
        host: String = "0.0.0.0",
        port: Int = WorkerPort.default,
        tlsFiles: TLSFiles,
        kinds: JobKinds,
        poolKind: PoolKind = .threads,
        poolSize: Int? = nil,
        queueCapacity: Int = 1024,
        frameLimits: FrameLimits = .default,
        handshakeTimeout: Duration = .seconds(10),
        idleTimeout: TimeAmount = .seconds(30),
        httpConnectTimeout: TimeAmount = .seconds(5),
        httpReadTimeout: TimeAmount = .seconds(5),
        httpRequestTimeout: TimeAmount = .seconds(30),
        childCommand: ChildCommand = .current,
        hostName: String = HostName.current
    ) {
        self.host = host
        self.port = port
        self.tlsFiles = tlsFiles
        self.kinds = kinds
        self.poolKind = poolKind
        self.poolSize = poolSize ?? Self.defaultPoolSize(for: poolKind, cores: System.coreCount)
        self.queueCapacity = queueCapacity
        self.frameLimits = frameLimits
        self.handshakeTimeout = handshakeTimeout
        self.idleTimeout = idleTimeout
        self.httpConnectTimeout = httpConnectTimeout
        self.httpReadTimeout = httpReadTimeout
        self.httpRequestTimeout = httpRequestTimeout
        self.childCommand = childCommand
        self.hostName = hostName
    }

    /// Python's defaults: `min(32, cores + 4)` threads, or one process per core.
    public static func defaultPoolSize(for kind: PoolKind, cores: Int) -> Int {
        switch kind {
        case .threads: min(32, cores + 4)
        case .processes: max(1, cores)
        }
    }

    /// What the worker's jobs share: `threads`, an HTTP client with the configured timeouts, the logger, and
    /// the output limit a result frame sets. The caller shuts the client down.
    func makeJobEnvironment(threads: NIOThreadPool, logger: Logger) -> JobEnvironment {
        JobEnvironment(
            threads: threads,
            httpClient: JobEnvironment.makeHTTPClient(
                connectTimeout: .nanoseconds(self.httpConnectTimeout.nanoseconds),
                readTimeout: .nanoseconds(self.httpReadTimeout.nanoseconds)
            ),
            httpRequestTimeout: .nanoseconds(self.httpRequestTimeout.nanoseconds),
            maximumOutputLength: JobResult.maximumOutputLength(within: self.frameLimits),
            commandPolicy: self.commandPolicy,
            logger: logger
        )
    }
}
