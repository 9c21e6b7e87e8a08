import ArgumentParser
import FanoutCommandLine
import FanoutBuiltinJobs
import FanoutJobs
import FanoutObservability
import FanoutProtocol
import FanoutWorker
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// The flags of `worker`, for a worker binary of one's own: a command takes them with `@OptionGroup` and calls
/// ``run(kinds:)`` with its kinds.
///
/// ```swift
/// struct Worker: AsyncParsableCommand {
///     @OptionGroup var options: WorkerOptions
///     func run() async throws {
///         try await options.run(kinds: JobKinds([PiEstimate.self] + BuiltinJobs.kinds))
///     }
/// }
/// ```
public struct WorkerOptions: ParsableArguments {
    /// What `worker --help` says of serving.
    public static let discussion = """
    Prints `listening on HOST:PORT` once bound. On SIGTERM or SIGINT it stops accepting, lets every \
    session finish its jobs and say goodbye, and exits 0.
    """

    public init() {}

    @Option(help: "Address to listen on, HOST:PORT; port 0 picks a free port.")
    var listen: String = "0.0.0.0:\(WorkerPort.default)"

    @Option(help: "Folder holding ca.pem, worker.pem and worker-key.pem.")
    var tlsDir: String?

    @Option(help: "The cluster CA certificate (instead of --tls-dir).")
    var ca: String?

    @Option(help: "This worker's certificate (instead of --tls-dir).")
    var cert: String?

    @Option(help: "This worker's private key (instead of --tls-dir).")
    var key: String?

    @Option(help: "Run jobs on OS threads or child processes.")
    var pool: PoolKind = .threads

    @Option(help: "Jobs run at once (default: min(32, cores + 4) threads, or one process per core).")
    var size: Int?

    @Option(help: "Jobs that may wait for a slot, over all coordinators.")
    var queueDepth: Int = 1024

    @Option(help: "Seconds without a message from a coordinator after which its connection is closed.")
    var idleTimeout: Int64 = 30

    @Option(help: "Seconds that stopping may take before running jobs are abandoned.")
    var shutdownTimeout: Int = 60

    @Option(help: ArgumentHelp("Milliseconds added to every time this worker reports, to test clock offsets.", visibility: .hidden))
    var clockSkewMs: Int64 = 0

    @Option(help: ArgumentHelp("Kill the process that runs a prime check of this number, to test crash handling.", visibility: .hidden))
    var crashOnPrime: UInt64?

    @Option(
        defaultAsFlag: "*",
        parsing: .next,
        help: ArgumentHelp(
            "Let coordinators run commands here: alone, any executable; =PATH,PATH… only those executables.",
            valueName: "paths"
        )
    )
    var allowExec: String?

    @Option(help: "The most bytes of files one coordinator's run may send here with exec --transfer (K, M, G, T allowed).")
    var maxTransfer = ByteCount(bytes: WorkerConfiguration.defaultMaximumTransferBytes)

    @Flag(name: .customLong(StandardInputWatch.flag), help: ArgumentHelp("Stop when standard input closes: the process that started this one has died.", visibility: .hidden))
    var stopWhenStandardInputCloses = false

    @Option(
        help: ArgumentHelp(
            "Serve this worker's Prometheus metrics at [HOST:]PORT/metrics (host 127.0.0.1 unless given). Off unless given.",
            valueName: "[host:]port"
        )
    )
    var metricsListen: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    public func validate() throws {
        _ = try self.tlsFiles()
        _ = try ListenAddress(parsing: self.listen)
        if let size, size < 1 || size > Int(UInt16.max) {
            throw ValidationError("--size must be from 1 to \(UInt16.max), not \(size)")
        }
        guard self.queueDepth >= 0 else { throw ValidationError("--queue-depth cannot be negative") }
        guard self.idleTimeout >= 2 else { throw ValidationError("--idle-timeout must be at least 2 seconds") }
        guard self.clockSkewMs.magnitude <= 100 * 365 * 86_400_000 else {
            throw ValidationError("--clock-skew-ms must be within a hundred years")
        }
        _ = try self.commandPolicy()
        _ = try self.metricsAddress()
    }

    private func metricsAddress() throws -> HTTPListenAddress? {
        do {
            return try self.metricsListen.map { try HTTPListenAddress(parsing: $0, option: "--metrics-listen") }
        } catch let error as StatusServerError {
            throw ValidationError(error.message)
        }
    }

    /// What `--allow-exec` allows.
    func commandPolicy() throws -> CommandPolicy {
        guard let allowExec = self.allowExec else { return .refused }
        do {
            return try CommandPolicy(allowExec: allowExec)
        } catch let error as JobSetupError where error.code == .invalidCommandPolicy {
            throw ValidationError(error.message)
        }
    }

    private func tlsFiles() throws -> TLSFiles {
        switch (self.tlsDir, self.ca, self.cert, self.key) {
        case (let directory?, nil, nil, nil):
            return TLSFiles.worker(directory: directory)
        case (nil, nil, nil, nil):
            return TLSFiles.worker(directory: "certs")
        case (nil, let ca?, let cert?, let key?):
            return TLSFiles(certificateAuthority: ca, certificate: cert, privateKey: key)
        default:
            throw ValidationError("give either --tls-dir, or all three of --ca, --cert and --key")
        }
    }

    /// Serves coordinators with `kinds` until SIGTERM or SIGINT; or, in a process-pool child of such a worker
    /// (this same program, started again by it), serves its parent.
    public func run(kinds: JobKinds) async throws {
        if let crashOnPrime = self.crashOnPrime {
            setenv(CrashFault.environmentVariable, "\(crashOnPrime)", 1)
        }
        let address = try ListenAddress(parsing: self.listen)
        var configuration = WorkerConfiguration(
            host: address.host,
            port: address.port,
            tlsFiles: try self.tlsFiles(),
            kinds: kinds,
            poolKind: self.pool,
            poolSize: self.size,
            queueCapacity: self.queueDepth,
            idleTimeout: .seconds(self.idleTimeout)
        )
        configuration.clockSkew = .milliseconds(self.clockSkewMs)
        configuration.commandPolicy = try self.commandPolicy()
        configuration.maximumTransferBytes = UInt64(self.maxTransfer.bytes)
        if ChildWorker.isChild {
            bootstrapLogging(level: self.logLevel)
            return try await ChildWorker.run(configuration: configuration, logger: Logger(label: "fanout.worker.child"))
        }
        bootstrapLogging(level: self.logLevel)
        let logger = Logger(label: "fanout.worker")
        if self.stopWhenStandardInputCloses { StandardInputWatch.start() }
        if configuration.commandPolicy != .refused {
            logger.notice("coordinators may run commands here", metadata: ["exec.allowed": "\(configuration.commandPolicy)"])
        }
        let metricsAddress = try self.metricsAddress()
        let registry = PrometheusCollectorRegistry()
        if metricsAddress != nil { configuration.metricsFactory = PrometheusMetricsFactory(registry: registry) }
        let server = WorkerServer(configuration: configuration, logger: logger) { bound in
            print("listening on \(ListenAddress(bound).map(String.init(describing:)) ?? "\(bound)")")
            fflush(nil)
        }
        var groupConfiguration = ServiceGroupConfiguration(
            // Shut down in reverse: metrics stay served until the worker has drained.
            services: (metricsAddress.map { [MetricsEndpoint(address: $0, registry: registry, worker: server, logger: logger)] as [any Service] } ?? []) + [server],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = Duration.seconds(self.shutdownTimeout)
        try await ServiceGroup(configuration: groupConfiguration).run()
    }
}
