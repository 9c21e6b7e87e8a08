import FanoutProtocol
import NIOCore
import NIOPosix
import NIOSSL

/// A mutual-TLS server on loopback that answers each hello with a worker hello, and reports how each
/// connection ended.
struct TLSTestServer {
    let channel: NIOAsyncChannel<NIOAsyncChannel<Message, Message>, Never>
    let outcomes: AsyncStream<Result<Message, any Error>>
    /// What the server answers a hello with.
    let answer: Hello
    private let report: AsyncStream<Result<Message, any Error>>.Continuation

    var port: Int { self.channel.channel.localAddress!.port! }

    static func start(context: NIOSSLContext, answer: Hello = Self.workerHello) async throws -> TLSTestServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try Self.addCodec(to: child)
                    return try NIOAsyncChannel<Message, Message>(wrappingChannelSynchronously: child)
                }
            }
        let (outcomes, report) = AsyncStream.makeStream(of: Result<Message, any Error>.self)
        return TLSTestServer(channel: channel, outcomes: outcomes, answer: answer, report: report)
    }

    /// Serves connections until the listener closes.
    func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await self.channel.executeThenClose { connections in
                for try await connection in connections {
                    group.addTask {
                        do {
                            try await connection.executeThenClose { inbound, outbound in
                                var messages = inbound.makeAsyncIterator()
                                guard let first = try await messages.next() else {
                                    throw ChannelError.eof
                                }
                                try await outbound.write(.hello(self.answer))
                                self.report.yield(.success(first))
                            }
                        } catch {
                            self.report.yield(.failure(error))
                        }
                    }
                }
            }
        }
    }

    static let workerHello = Hello.worker(
        softwareVersion: "test",
        hostName: "test-worker",
        capabilities: WorkerCapabilities(poolKind: .threads, slots: 1, cores: 1, kinds: [])
    )

    static func addCodec(to channel: any Channel) throws {
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(MessageDecoder()))
        try channel.pipeline.syncOperations.addHandler(MessageEncoder())
    }
}

enum TLSTestClient {
    /// Connects to 127.0.0.1:`port`, verifying the server as `host`, sends a hello and returns the answer.
    static func exchangeHello(port: Int, host: String, context: NIOSSLContext) async throws -> Message? {
        let client = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        MutualTLS.makeClientHandler(context: context, host: host)
                    )
                    try TLSTestServer.addCodec(to: channel)
                    return try NIOAsyncChannel<Message, Message>(wrappingChannelSynchronously: channel)
                }
            }
        return try await client.executeThenClose { inbound, outbound in
            var messages = inbound.makeAsyncIterator()
            do {
                try await outbound.write(.hello(.coordinator(softwareVersion: "test", hostName: "test-coordinator")))
            } catch {
                // A failed handshake closes the channel under the write; the inbound side carries the reason.
                _ = try await messages.next()
                throw error
            }
            return try await messages.next()
        }
    }
}
