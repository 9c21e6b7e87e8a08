@testable import FanoutWorker
import FanoutBuiltinJobs
import FanoutProtocol
import FanoutTestSupport
import Foundation
import Logging
import NIOSSL
import ServiceLifecycle

/// A worker server running in this process on a free loopback port, with the certificates to reach it.
struct RunningWorker: Sendable {
    let port: Int
    let server: WorkerServer
    let cluster: TestCluster
    let clientContext: NIOSSLContext

    /// The `worker` binary built beside this test bundle, which process pools start as their children.
    static var workerBinary: String {
        URL(fileURLWithPath: ChildCommand.currentExecutable).deletingLastPathComponent().appendingPathComponent("worker").path
    }

    static let logger = testLogger

    /// Runs a worker with `pool` and `size` for the length of `body`, then stops it gracefully.
    static func with<Result: Sendable>(
        pool: PoolKind = .threads,
        size: Int = 2,
        configure: (inout WorkerConfiguration) -> Void = { _ in },
        logger: Logger = RunningWorker.logger,
        _ body: @Sendable (RunningWorker) async throws -> Result
    ) async throws -> Result {
        let cluster = try TestCluster()
        var configuration = WorkerConfiguration(
            host: "127.0.0.1",
            port: 0,
            tlsFiles: cluster.workerFiles,
            kinds: BuiltinJobs.registered,
            poolKind: pool,
            poolSize: size,
            childCommand: ChildCommand(executable: Self.workerBinary, arguments: [])
        )
        configure(&configuration)
        let (ports, bound) = AsyncStream.makeStream(of: Int.self)
        let server = WorkerServer(configuration: configuration, logger: logger) { address in
            bound.yield(address.port ?? 0)
            bound.finish()
        }
        let group = ServiceGroup(services: [server], logger: Self.logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                try await tasks.waitForAll()
                throw CancellationError()
            }
            let worker = RunningWorker(port: port, server: server, cluster: cluster, clientContext: try cluster.clientContext())
            let result: Swift.Result<Result, any Error>
            do {
                result = .success(try await body(worker))
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }

    /// Connects, says hello, and runs `body` on the session.
    func session<Result: Sendable>(_ body: (TestSession, Hello) async throws -> Result) async throws -> Result {
        try await TestSession.withHandshake(port: self.port, context: self.clientContext, body)
    }
}
