import ArgumentParser
import FanoutCommandLine
import FanoutCoordinator
import FanoutDashboard
import FanoutObservability
import FanoutProtocol
import Logging

/// Which workers to run on, and how to report the run: the options of every `coordinator` command that runs
/// jobs, for a program of one's own that takes them with `@OptionGroup`.
public struct ClusterOptions: ParsableArguments {
    public init() {}

    @Option(
        help: """
            Hosts file, one worker per line: host[:port] [slots=N]. Without it, workers start locally. SIGHUP re-reads \
            it: hosts added join the run, hosts removed finish their jobs and leave.
            """
    )
    public var workers: String?

    @Option(help: "Start this many local workers (default 2 when --workers is not given).")
    public var local: Int?

    @Option(help: "Pool of each local worker: threads or processes.")
    public var pool: PoolKind = .threads

    @Option(help: "Jobs each local worker runs at once (default: the worker's own default).")
    public var size: Int?

    @Option(help: "Folder with ca.pem, coordinator.pem and coordinator-key.pem, for --workers.")
    public var tlsDir: String = "certs"

    @Option(help: "Times a job is tried on workers that are lost under it before it fails.")
    public var attempts: Int = 3

    @Option(help: "Seconds between heartbeats to each worker (default: 1, or a quarter of the timeout if less).")
    public var heartbeatInterval: Double?

    @Option(help: "Seconds without an answer to heartbeats after which a worker is dropped, its jobs rerun, and it is dialled again.")
    public var heartbeatTimeout: Double = 5

    @Option(help: "Seconds that running jobs may go on after Ctrl-C before they are abandoned.")
    public var grace: Double = 10

    @Option(help: "Write one tab-separated line per job to this file: where and when it ran, and how it ended.")
    public var joblog: String?

    @Option(help: "Write a Gantt chart of the run to this SVG file: which slot of which worker ran which job, and when.")
    public var timeline: String?

    @Option(help: "Write the run to this JSON file in Chrome's trace-event format, which Perfetto and chrome://tracing open: each worker a process, each slot a thread, each job an event.")
    public var trace: String?

    @Option(
        help: ArgumentHelp(
            "Serve a live dashboard of the run, and its /metrics, at [HOST:]PORT (host 127.0.0.1 unless given; port 0 picks a free one).",
            valueName: "[host:]port"
        )
    )
    public var dashboard: String?

    @Option(help: "Seconds the dashboard stays up after the run ends, showing its final state.")
    public var dashboardLinger: Double = 0

    @Option(
        help: ArgumentHelp("Serve the run's Prometheus metrics alone at [HOST:]PORT/metrics.", valueName: "[host:]port")
    )
    public var metricsListen: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    public var logLevel: Logger.Level = .warning

    public func validate() throws {
        if self.workers != nil, self.local != nil {
            throw ValidationError("give --workers or --local, not both")
        }
        if let local = self.local, local < 1 {
            throw ValidationError("--local must be at least 1")
        }
        if let size = self.size, size < 1 {
            throw ValidationError("--size must be at least 1")
        }
        // A day bounds every time: past it, a figure is a mistake, and its milliseconds would not fit 64 bits.
        let day = 86_400.0
        guard self.grace >= 0, self.grace <= day else { throw ValidationError("--grace must be from 0 to \(Int(day)) seconds") }
        guard self.heartbeatTimeout <= day else { throw ValidationError("--heartbeat-timeout must be at most \(Int(day)) seconds") }
        guard self.attempts >= 1 else { throw ValidationError("--attempts must be at least 1") }
        guard self.heartbeatTimeout > 0.2 else { throw ValidationError("--heartbeat-timeout must be above 0.2 seconds") }
        if let interval = self.heartbeatInterval, !(interval >= 0.01 && interval < self.heartbeatTimeout) {
            throw ValidationError("--heartbeat-interval must be at least 0.01 seconds and below --heartbeat-timeout")
        }
        _ = try self.dashboardAddresses()
        guard self.dashboardLinger >= 0, self.dashboardLinger <= day else {
            throw ValidationError("--dashboard-linger must be from 0 to \(Int(day)) seconds")
        }
        if self.dashboardLinger > 0, self.dashboard == nil {
            throw ValidationError("--dashboard-linger needs --dashboard")
        }
    }

    /// Where `--dashboard` and `--metrics-listen` serve; nil for each not given.
    func dashboardAddresses() throws -> (page: HTTPListenAddress?, metrics: HTTPListenAddress?) {
        do {
            return (
                try self.dashboard.map { try HTTPListenAddress(parsing: $0, option: "--dashboard") },
                try self.metricsListen.map { try HTTPListenAddress(parsing: $0, option: "--metrics-listen") }
            )
        } catch let error as StatusServerError {
            throw ValidationError(error.message)
        }
    }

    /// Starts the dashboard and metrics asked for, saying where; nil when neither was.
    private func startDashboard(logger: Logger) async throws -> Dashboard? {
        let (page, metrics) = try self.dashboardAddresses()
        guard page != nil || metrics != nil else { return nil }
        let dashboard = try await Dashboard.start(page: page, metrics: metrics, logger: logger)
        for (address, what, path) in [(dashboard.pageAddress, "dashboard", ""), (dashboard.metricsAddress, "metrics", "metrics")] {
            guard let address else { continue }
            printError("\(what) at \(address.url)\(path)")
            if !address.isLoopback {
                printError("warning: the \(what) at \(address) has no authentication: anyone who can reach that address can read the run")
            }
        }
        return dashboard
    }

    public var isLocal: Bool { self.workers == nil }

    /// The hosts file's workers, or local ones running `localWorker`.
    public func source(localWorker: LocalWorkerCommand = .shippedWorker) -> WorkerSource {
        if let workers = self.workers {
            return .hostsFile(path: workers, tlsDirectory: self.tlsDir)
        }
        return .local(count: self.local ?? 2, pool: self.pool, size: self.size, command: localWorker)
    }

    public var configuration: ClusterConfiguration {
        let timeout = Duration.milliseconds(Int64(self.heartbeatTimeout * 1000))
        return ClusterConfiguration(
            maximumAttempts: self.attempts,
            heartbeatInterval: self.heartbeatInterval.map { .milliseconds(Int64($0 * 1000)) } ?? min(.seconds(1), timeout / 4),
            heartbeatTimeout: timeout,
            stopGrace: .milliseconds(Int64(self.grace * 1000))
        )
    }

    /// Sets up logging, connects (starting local workers that run `localWorker`), and runs `body`, with the job
    /// log, timeline and trace asked for and, with `progress`, a live progress line; stops cleanly on Ctrl-C or SIGTERM,
    /// exiting 130. `transfers` go to each worker's run folder before its first job.
    public func withCluster<Result: Sendable>(
        localWorker: LocalWorkerCommand = .shippedWorker,
        progress: Bool = true,
        transfers: [TransferFile] = [],
        _ body: @escaping @Sendable (Cluster) async throws -> Result
    ) async throws -> Result {
        let console = sharedConsole
        bootstrapLogging(level: self.logLevel)
        let logger = Logger(label: "fanout.coordinator")
        let source = self.source(localWorker: localWorker)
        var configuration = self.configuration
        configuration.transfers = transfers
        let jobLog = try self.joblog.map { try JobLog(path: $0) }
        defer { jobLog?.close() }
        if let jobLog { configuration.observers.append(jobLog) }
        let timeline = self.timeline.map { path in (path, Timeline()) }
        if let timeline { configuration.observers.append(timeline.1) }
        // Written however the run ends: the chart of an interrupted or failed run shows where it stopped.
        defer {
            if let (path, chart) = timeline {
                do {
                    try chart.write(to: path, title: "Fanout run, \(source)")
                } catch {
                    printError("cannot write the timeline \(path): \(error)")
                }
            }
        }
        let trace = self.trace.map { path in (path, ChromeTrace()) }
        if let trace { configuration.observers.append(trace.1) }
        defer {
            if let (path, events) = trace {
                do {
                    try events.write(to: path)
                } catch {
                    printError("cannot write the trace \(path): \(error)")
                }
            }
        }
        let dashboard = try await self.startDashboard(logger: logger)
        if let dashboard { configuration.observers += dashboard.observers }
        if progress { configuration.observers.append(console) }
        defer { if progress { console.finish() } }
        let outcome: Swift.Result<Result, any Error>
        do {
            outcome = .success(try await self.run(body, on: source, configuration: configuration, dashboard: dashboard, console: console, logger: logger))
        } catch {
            outcome = .failure(error)
        }
        if let dashboard {
            var interrupted = false
            if case .failure(let error as ExitCode) = outcome, error.rawValue == 130 { interrupted = true }
            if self.dashboardLinger > 0, !interrupted {
                let linger = Duration.milliseconds(Int64(self.dashboardLinger * 1000))
                printError("the dashboard stays at \(dashboard.pageAddress?.url ?? "") for \(self.dashboardLinger) s (Ctrl-C ends it)")
                _ = try? await untilInterrupted { try await Task.sleep(for: linger) }
            }
            await dashboard.close()
        }
        return try outcome.get()
    }

    private func run<Result: Sendable>(
        _ body: @escaping @Sendable (Cluster) async throws -> Result,
        on source: WorkerSource,
        configuration: ClusterConfiguration,
        dashboard: Dashboard?,
        console: Console,
        logger: Logger
    ) async throws -> Result {
        let hostsFile = self.workers
        return try await untilInterrupted { [configuration] in
            // Trapped before connecting, so that a SIGHUP then is taken when the cluster is up, not fatal.
            var reload: HostsFileReload?
            if let hostsFile { reload = await HostsFileReload(path: hostsFile) }
            var reloads: Task<Void, Never>?
            defer { reloads?.cancel() }
            return try await Cluster.withCluster(from: source, configuration: configuration, logger: logger) { [reload] cluster in
                for unreachable in cluster.unreachable {
                    printError("unreachable: \(unreachable)")
                }
                // Served until the run has ended, its last jobs included.
                if let reload { reloads = Task { await reload.serve(cluster) } }
                dashboard?.attach(cluster)
                return try await body(cluster)
            }
        } interrupted: {
            console.interrupted()
        }
    }
}
