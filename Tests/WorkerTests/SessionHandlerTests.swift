@testable import FanoutWorker
import FanoutJobs
import FanoutLocking
import FanoutProtocol
import Logging
import NIOCore
import NIOEmbedded
import Testing

@Suite("Session handler")
struct SessionHandlerTests {
    @Test("replies wait while the channel is unwritable; past the outbox's limit no more is read until they leave")
    func backpressure() throws {
        let channel = EmbeddedChannel()
        let reads = ReadCounter()
        try channel.pipeline.syncOperations.addHandler(reads)
        try channel.pipeline.syncOperations.addHandler(SessionHandler(session: Self.session(on: channel)))
        channel.isWritable = false

        try channel.writeInbound(Message.hello(.coordinator(softwareVersion: "t", hostName: "c")))
        for _ in 0..<SessionOutbox.pendingLimit { try channel.writeInbound(Message.ping(Ping(sentAt: 1))) }
        channel.embeddedEventLoop.run()
        #expect(try channel.readOutbound(as: Message.self) == nil, "nothing is written to an unwritable channel")
        channel.read()
        #expect(reads.count == 0, "the hello and \(SessionOutbox.pendingLimit) pongs wait: the read is held")

        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        channel.embeddedEventLoop.run()
        #expect(reads.count == 1, "the held read goes on once the replies have been written")
        var written: [Message] = []
        while let message = try channel.readOutbound(as: Message.self) { written.append(message) }
        #expect(written.count == 1 + SessionOutbox.pendingLimit)
        #expect(written.first.map { if case .hello = $0 { true } else { false } } == true)
        #expect(written.dropFirst().allSatisfy { if case .pong = $0 { true } else { false } })

        channel.read()
        #expect(reads.count == 2, "with room, reads pass at once")
        _ = try channel.finish()
    }

    @Test("a goodbye while the channel is unwritable still closes the connection")
    func goodbyeWhileUnwritable() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(SessionHandler(session: Self.session(on: channel)))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        channel.isWritable = false
        try channel.writeInbound(Message.hello(.coordinator(softwareVersion: "t", hostName: "c")))
        try channel.writeInbound(Message.ping(Ping(sentAt: 1)))
        channel.embeddedEventLoop.run()
        try channel.writeInbound(Message.goodbye)
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
    }

    static func session(on channel: EmbeddedChannel) -> WorkerSession {
        let logger = Logger(label: "test")
        return WorkerSession(
            id: SessionID(1),
            channel: channel,
            outbox: SessionOutbox(),
            files: SessionFiles(parent: "/nonexistent", allowed: false, maximumBytes: 0),
            dispatcher: JobDispatcher(executor: IdleExecutor(), kinds: JobKinds(), queueCapacity: 1, logger: logger),
            hello: .worker(softwareVersion: "t", hostName: "w", capabilities: WorkerCapabilities(poolKind: .threads, slots: 1, cores: 1, kinds: [])),
            handshakeTimeout: .seconds(60),
            clock: .system,
            logger: logger
        )
    }
}

/// Counts the reads that reach the head of the pipeline.
private final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = Any

    private(set) var count = 0

    func read(context: ChannelHandlerContext) {
        self.count += 1
        context.read()
    }
}

/// Slots that never run anything: the tests here send no jobs.
private struct IdleExecutor: SlotExecutor {
    var poolKind: PoolKind { .threads }
    var slotCount: Int { 1 }
    func run() async {}
    func execute(_ submit: Submit, slot: Int, origin: JobOrigin, started: @escaping @Sendable () -> Void) async -> JobOutcome { .cancelled }
    func abandon(_ job: JobID, in slot: Int, because reason: JobStopReason) {}
    func shutdown() {}
}
