import FanoutProtocol
import NIOCore
import NIOPosix
import NIOSSL

/// A coordinator's side of one connection, for tests: send messages, read them one at a time.
public final class TestSession {
    private var messages: NIOAsyncChannelInboundStream<Message>.AsyncIterator
    public let outbound: NIOAsyncChannelOutboundWriter<Message>

    init(inbound: NIOAsyncChannelInboundStream<Message>, outbound: NIOAsyncChannelOutboundWriter<Message>) {
        self.messages = inbound.makeAsyncIterator()
        self.outbound = outbound
    }

    public func send(_ messages: Message...) async throws {
        try await self.outbound.write(contentsOf: messages)
    }

    /// The next message; nil once the worker has closed the connection.
    public func next() async throws -> Message? {
        try await self.messages.next()
    }

    /// Reads until `count` results have arrived, skipping `started`; fails on anything else.
    public func results(_ count: Int) async throws -> [JobID: JobResult] {
        var results: [JobID: JobResult] = [:]
        while results.count < count {
            switch try await self.next() {
            case .result(let result)?:
                results[result.jobID] = result
            case .started?:
                continue
            case let other:
                throw UnexpectedMessage(message: other)
            }
        }
        return results
    }

    /// Reads until goodbye, skipping `started`; returns the results on the way. Fails on anything else or an
    /// end without goodbye.
    public func resultsUntilGoodbye() async throws -> [JobID: JobResult] {
        var results: [JobID: JobResult] = [:]
        while true {
            switch try await self.next() {
            case .started?: continue
            case .result(let result)?: results[result.jobID] = result
            case .goodbye?: return results
            case let other: throw UnexpectedMessage(message: other)
            }
        }
    }

    /// Reads until the result for `jobID`, skipping `started` and other results.
    public func result(for jobID: JobID) async throws -> JobResult {
        while true {
            switch try await self.next() {
            case .result(let result)? where result.jobID == jobID:
                return result
            case .result?, .started?:
                continue
            case let other:
                throw UnexpectedMessage(message: other)
            }
        }
    }

    public struct UnexpectedMessage: Error, CustomStringConvertible {
        public var message: Message?
        public init(message: Message?) { self.message = message }
        public var description: String { "unexpected \(self.message.map { "\($0)" } ?? "end of connection")" }
    }

    /// Connects to 127.0.0.1:`port` over mutual TLS as `host`, and runs `body` on the connection.
    public static func withConnection<Result: Sendable>(
        port: Int,
        host: String = "127.0.0.1",
        context: NIOSSLContext,
        _ body: (TestSession) async throws -> Result
    ) async throws -> Result {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(MutualTLS.makeClientHandler(context: context, host: host))
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(MessageDecoder()))
                    try channel.pipeline.syncOperations.addHandler(MessageEncoder())
                    return try NIOAsyncChannel<Message, Message>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await body(TestSession(inbound: inbound, outbound: outbound))
        }
    }

    /// As ``withConnection(port:host:context:_:)``, after a hello each way; `body` gets the worker's hello too.
    public static func withHandshake<Result: Sendable>(
        port: Int,
        context: NIOSSLContext,
        _ body: (TestSession, Hello) async throws -> Result
    ) async throws -> Result {
        try await self.withConnection(port: port, context: context) { session in
            try await session.send(.hello(.coordinator(softwareVersion: "test", hostName: "test-coordinator")))
            guard case .hello(let hello)? = try await session.next() else {
                throw HandshakeFailed()
            }
            return try await body(session, hello)
        }
    }

    public struct HandshakeFailed: Error {}
}
