import ArgumentParser
import FanoutProtocol
import FanoutWorker
import Logging
import NIOCore

extension WorkerCommand {
    /// The process-pool child: started by a worker, it speaks frames over stdin and stdout.
    struct Child: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run as a process-pool child (started by the worker itself).",
            shouldDisplay: false
        )

        @Option var maxFrameLength: Int = FrameLimits.defaultMaximumFrameLength
        @Option var httpConnectTimeoutMs: Int64 = 5000
        @Option var httpReadTimeoutMs: Int64 = 5000
        @Option var httpRequestTimeoutMs: Int64 = 30000
        @Option var crashOnPrime: UInt64?

        func run() async throws {
            LoggingSystem.bootstrap(StreamLogHandler.standardError)
            var configuration = ChildWorker.Configuration(
                frameLimits: FrameLimits(maximumFrameLength: self.maxFrameLength),
                httpConnectTimeout: .milliseconds(self.httpConnectTimeoutMs),
                httpReadTimeout: .milliseconds(self.httpReadTimeoutMs),
                httpRequestTimeout: .milliseconds(self.httpRequestTimeoutMs)
            )
            configuration.crashOnPrime = self.crashOnPrime
            try await ChildWorker.run(
                configuration: configuration,
                logger: Logger(label: "fanout.worker.child")
            )
        }
    }
}
