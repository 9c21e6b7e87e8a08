import AsyncHTTPClient
import FanoutProtocol
import Logging
import NIOCore
import NIOPosix

/// What a running job may use: which job it is, its worker's threads, an HTTP client, and a logger.
public struct JobContext: Sendable {
    /// The job's number on its coordinator.
    public var jobID: JobID
    /// 1 for the first run; more when the job runs again after its worker was lost.
    public var attempt: Int
    /// The worker slot running the job.
    public var slot: Int
    /// The subject of the certificate the job's coordinator presented, as RFC 4514 text (`CN=…,O=…`); nil
    /// where no coordinator is connected, as in a process-pool child.
    public var requester: String?
    /// The folder on the worker holding the files the job's coordinator sent for the run (`--transfer`); nil
    /// when it sent none, and in a process-pool child.
    public var transferFolder: String?
    let environment: JobEnvironment

    public init(
        jobID: JobID,
        attempt: Int,
        slot: Int,
        requester: String? = nil,
        transferFolder: String? = nil,
        environment: JobEnvironment
    ) {
        self.jobID = jobID
        self.attempt = attempt
        self.slot = slot
        self.requester = requester
        self.transferFolder = transferFolder
        self.environment = environment
    }

    public var logger: Logger { self.environment.logger }

    /// A client shared by the worker's jobs, with its connect and read timeouts.
    public var httpClient: HTTPClient { self.environment.httpClient }

    /// How long one HTTP request of a job may take, as the worker was told.
    public var httpRequestTimeout: Duration { self.environment.httpRequestTimeout }

    /// The most bytes an output may take: more would not fit a result frame.
    public var maximumOutputLength: Int { self.environment.maximumOutputLength }

    /// Which commands the worker's operator allows jobs to start.
    public var commandPolicy: CommandPolicy { self.environment.commandPolicy }

    /// One of the worker's event loops, for the SwiftNIO work a job starts.
    public var eventLoop: any EventLoop { self.environment.eventLoops.any() }

    /// Runs `body` on one of the worker's OS threads and returns what it returns: CPU work there, never on the
    /// Swift concurrency pool.
    public func compute<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await self.environment.threads.runIfActive(body)
    }
}

/// What the jobs of one worker process share: its threads, HTTP client, logger, limits, and the commands they
/// may start.
public final class JobEnvironment: Sendable {
    let threads: NIOThreadPool
    let eventLoops: any EventLoopGroup
    /// Shut down by whoever made the environment.
    public let httpClient: HTTPClient
    let httpRequestTimeout: Duration
    /// The most bytes a job's output may take: more would not fit a result frame.
    public let maximumOutputLength: Int
    let commandPolicy: CommandPolicy
    let logger: Logger

    /// - Parameters:
    ///   - threads: where ``JobContext/compute(_:)`` runs work; started, and shut down by the caller.
    ///   - eventLoops: where ``JobContext/eventLoop`` comes from.
    ///   - httpClient: shut down by the caller.
    public init(
        threads: NIOThreadPool,
        eventLoops: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        httpClient: HTTPClient,
        httpRequestTimeout: Duration,
        maximumOutputLength: Int,
        commandPolicy: CommandPolicy = .refused,
        logger: Logger
    ) {
        self.threads = threads
        self.eventLoops = eventLoops
        self.httpClient = httpClient
        self.httpRequestTimeout = httpRequestTimeout
        self.maximumOutputLength = maximumOutputLength
        self.commandPolicy = commandPolicy
        self.logger = logger
    }

    /// An HTTP client with the connect and read timeouts given, following up to five redirects.
    public static func makeHTTPClient(connectTimeout: Duration, readTimeout: Duration) -> HTTPClient {
        HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(
                redirectConfiguration: .follow(max: 5, allowCycles: false),
                timeout: HTTPClient.Configuration.Timeout(connect: .init(connectTimeout), read: .init(readTimeout))
            )
        )
    }
}

extension JobEnvironment {
    /// Runs `body` with an environment of its own for jobs run in this process: one OS thread, an HTTP client
    /// with 5 s connect and read timeouts and 30 s requests, outputs of up to `maximumOutputLength` bytes, and
    /// the commands `commandPolicy` allows. Both are shut down when `body` ends, however it ends.
    public static func withLocal<Result: Sendable>(
        maximumOutputLength: Int = 16 << 20,
        commandPolicy: CommandPolicy = .refused,
        logger: Logger,
        _ body: (JobEnvironment) async throws -> Result
    ) async throws -> Result {
        let threads = NIOThreadPool(numberOfThreads: 1)
        threads.start()
        let environment = JobEnvironment(
            threads: threads,
            httpClient: Self.makeHTTPClient(connectTimeout: .seconds(5), readTimeout: .seconds(5)),
            httpRequestTimeout: .seconds(30),
            maximumOutputLength: maximumOutputLength,
            commandPolicy: commandPolicy,
            logger: logger
        )
        let result: Swift.Result<Result, any Error>
        do {
            result = .success(try await body(environment))
        } catch {
            result = .failure(error)
        }
        try? await environment.httpClient.shutdown()
        try? await threads.shutdownGracefully()
        return try result.get()
    }
}
