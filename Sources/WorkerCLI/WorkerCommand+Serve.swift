import ArgumentParser
import FanoutCommandLine
import FanoutProtocol
import FanoutWorker
import Logging
import NIOCore
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

extension WorkerCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve coordinators over mutual TLS (the default command).",
            discussion: """
                Prints `listening on HOST:PORT` once bound. On SIGTERM or SIGINT it stops accepting, lets every \
                session finish its jobs and say goodbye, and exits 0.
                """
        )

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

        @Option(help: "trace, debug, info, notice, warning, error or critical.")
        var logLevel: Logger.Level = .info

        func validate() throws {
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
        }

        func tlsFiles() throws -> TLSFiles {
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

        func run() async throws {
            bootstrapLogging(level: self.logLevel)
            let logger = Logger(label: "fanout.worker")
            let address = try ListenAddress(parsing: self.listen)
            var configuration = WorkerConfiguration(
                host: address.host,
                port: address.port,
                tlsFiles: try self.tlsFiles(),
                poolKind: self.pool,
                poolSize: self.size,
                queueCapacity: self.queueDepth,
                idleTimeout: .seconds(self.idleTimeout)
            )
            configuration.clockSkew = .milliseconds(self.clockSkewMs)
            configuration.crashOnPrime = self.crashOnPrime
            let server = WorkerServer(configuration: configuration, logger: logger) { bound in
                print("listening on \(ListenAddress(bound).map(String.init(describing:)) ?? "\(bound)")")
                fflush(nil)
            }
            var groupConfiguration = ServiceGroupConfiguration(
                services: [server],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
            groupConfiguration.maximumGracefulShutdownDuration = Duration.seconds(self.shutdownTimeout)
            try await ServiceGroup(configuration: groupConfiguration).run()
        }
    }
}
