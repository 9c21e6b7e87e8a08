@testable import FanoutCoordinator
import FanoutBuiltinJobs
import FanoutLocking
import FanoutProtocol
import NIOCore
import NIOEmbedded
import Testing

@Suite("Worker connection handler")
struct WorkerConnectionHandlerTests {
    @Test("the handshake reads in order what came before it asked, even after the connection closed")
    func handshakeReads() throws {
        let (channel, handler, _) = try Self.connection()
        defer { _ = try? channel.finish() }
        let pong = Message.pong(Pong(pingSentAt: 1, receivedAt: 2, sentAt: 3))
        try channel.writeInbound(Message.error(ErrorReport(code: .handshakeRefused, message: "no")))
        let waiting = handler.next()
        #expect(try Self.value(waiting) == .error(ErrorReport(code: .handshakeRefused, message: "no")))

        let asked = handler.next()
        #expect(Self.peek(asked) == nil, "nothing read yet")
        try channel.writeInbound(pong)
        #expect(Self.peek(asked) == .some(pong))

        try channel.writeInbound(pong)
        channel.pipeline.fireChannelInactive()
        #expect(try Self.value(handler.next()) == pong, "read before the close")
        #expect(try Self.value(handler.next()) == nil)
        #expect(Self.peek(handler.ended).map { if case .closed = $0 { true } else { false } } == true)
    }

    @Test("once served, messages go to the cluster as read; what a read burst posts is written when it completes")
    func serving() throws {
        let (channel, handler, mailbox) = try Self.connection()
        defer { _ = try? channel.finish() }
        let result = Message.result(JobResult(jobID: JobID(1), attempt: 1, outcome: .cancelled, slot: nil))
        try channel.writeInbound(result)
        let delivered = Locked<[Message]>([])
        _ = handler.serve(
            { message in
                delivered.withLock { $0.append(message) }
                if case .result = message { mailbox.post(.submit(Submit.job(NoOp(), id: 2))) }
            },
            heartbeat: Self.heartbeat { _ in }
        )
        channel.embeddedEventLoop.run()
        #expect(delivered.withLock { $0 } == [result], "left unread by the handshake, delivered first")
        #expect(try channel.readOutbound(as: Message.self) == .submit(Submit.job(NoOp(), id: 2)))

        channel.pipeline.fireChannelRead(result)
        channel.pipeline.fireChannelRead(result)
        channel.embeddedEventLoop.run()
        #expect(delivered.withLock { $0.count } == 3)
        #expect(try channel.readOutbound(as: Message.self) == nil, "held until the read burst completes")
        channel.pipeline.fireChannelReadComplete()
        #expect(try channel.readOutbound(as: Message.self) == .submit(Submit.job(NoOp(), id: 2)))
        #expect(try channel.readOutbound(as: Message.self) == .submit(Submit.job(NoOp(), id: 2)))
        #expect(try channel.readOutbound(as: Message.self) == nil)

        try channel.writeInbound(Message.goodbye)
        try channel.writeInbound(result)
        #expect(delivered.withLock { $0.count } == 4, "nothing is delivered after goodbye")
        #expect(Self.peek(handler.ended).map { if case .goodbye = $0 { true } else { false } } == true)
        mailbox.post(.drain)
        channel.embeddedEventLoop.run()
        #expect(try channel.readOutbound(as: Message.self) == nil, "the mailbox is closed once the connection ends")
    }

    @Test("a connection that ended before it was served is not served, and says what the worker said last")
    func endedBeforeServed() throws {
        let (channel, handler, _) = try Self.connection()
        defer { _ = try? channel.finish() }
        try channel.writeInbound(Message.error(ErrorReport(code: .shuttingDown, message: "stopping")))
        try channel.writeInbound(Message.goodbye)
        channel.pipeline.fireChannelInactive()
        let delivered = Locked(0)
        let refusal = handler.serve({ _ in delivered.withLock { $0 += 1 } }, heartbeat: Self.heartbeat { _ in })
        #expect(refusal?.contains("stopping") == true, "\(String(describing: refusal))")
        #expect(delivered.withLock { $0 } == 0)

        let (quiet, quietHandler, _) = try Self.connection()

        defer { _ = try? quiet.finish() }
        try quiet.writeInbound(Message.goodbye)
        quiet.pipeline.fireChannelInactive()
        #expect(quietHandler.serve({ _ in }, heartbeat: Self.heartbeat { _ in }) == "it said goodbye")
    }

    @Test("an error ends the connection with it; a write that failed then is explained by it")
    func failure() throws {
        let (channel, handler, _) = try Self.connection()
        defer { _ = try? channel.finish() }
        let asked = handler.next()
        channel.pipeline.fireErrorCaught(ProtocolError(.truncatedFrame, "bad"))
        #expect(throws: ProtocolError.self) { try Self.value(asked) }
        #expect(Self.peek(handler.ended).map { if case .failed = $0 { true } else { false } } == true)
        #expect(handler.failure is ProtocolError)
        channel.pipeline.fireErrorCaught(ChannelError.ioOnClosedChannel)
        #expect(handler.failure is ProtocolError, "the first error is the one that ended it")
    }

    @Test("a served worker is pinged every interval, and given up, the channel closed, once silent past the timeout")
    func heartbeats() throws {
        let (channel, handler, _) = try Self.connection()
        defer { _ = try? channel.finish() }
        let silences = Locked<[String]>([])
        _ = handler.serve({ _ in }, heartbeat: Self.heartbeat { reason in silences.withLock { $0.append(reason) } })
        let loop = channel.embeddedEventLoop
        loop.advanceTime(by: .seconds(1))
        guard case .ping? = try channel.readOutbound(as: Message.self) else {
            Issue.record("no ping after an interval")
            return
        }
        loop.advanceTime(by: .milliseconds(500))
        try channel.writeInbound(Message.pong(Pong(pingSentAt: 1, receivedAt: 2, sentAt: 3)))
        loop.advanceTime(by: .milliseconds(1500))
        #expect(silences.withLock { $0.isEmpty } && channel.isActive, "heard from 1.5 s ago, within the 2.5 s timeout")
        loop.advanceTime(by: .seconds(1))
        #expect(silences.withLock { $0.isEmpty }, "2.5 s is not past the timeout")
        loop.advanceTime(by: .seconds(1))
        #expect(silences.withLock { $0.count } == 1 && silences.withLock { $0.first?.hasPrefix("no answer to heartbeats for") } == true)
        #expect(!channel.isActive)
        loop.advanceTime(by: .seconds(10))
        #expect(silences.withLock { $0.count } == 1, "given up once")
    }

    static func heartbeat(_ silent: @escaping @Sendable (String) -> Void) -> WorkerConnectionHandler.Heartbeat {
        WorkerConnectionHandler.Heartbeat(interval: .seconds(1), timeout: .milliseconds(2500), silent: silent)
    }

    static func connection() throws -> (EmbeddedChannel, WorkerConnectionHandler, OutboundMailbox) {
        let channel = EmbeddedChannel()
        let mailbox = OutboundMailbox()
        let handler = WorkerConnectionHandler(mailbox: mailbox, counters: WireCounters(), eventLoop: channel.eventLoop)
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, handler, mailbox)
    }

    /// What `future` holds on the embedded loop, which has run everything: nil if it is not complete.
    static func peek<T>(_ future: EventLoopFuture<T>) -> T? {
        var value: T?
        future.assumeIsolated().whenSuccess { value = $0 }
        return value
    }

    static func value<T>(_ future: EventLoopFuture<T>) throws -> T {
        var result: Result<T, any Error>?
        future.assumeIsolated().whenComplete { result = $0 }
        return try #require(result).get()
    }
}
