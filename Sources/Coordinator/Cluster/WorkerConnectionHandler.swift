import FanoutProtocol
import NIOCore

/// The coordinator's end of one worker connection on its event loop. It hands what the worker says to the
/// handshake, one message at a time (``next()``), then to the cluster as each is decoded
/// (``serve(_:heartbeat:)``); it writes what the connection's ``OutboundMailbox`` collects, a batch per flush,
/// once it has read all that came in; and, once serving, it pings the worker and finds it silent.
///
/// Nothing bounds what it writes but the mailbox: the cluster sends a worker no more jobs than its credit.
final class WorkerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = Message
    typealias OutboundOut = Message

    /// How the connection ended.
    enum End: Sendable {
        /// The worker said goodbye.
        case goodbye
        /// It closed without one.
        case closed
        /// Reading or decoding failed.
        case failed(any Error)
    }

    /// How often to ping a served worker, and how long a silence loses it.
    struct Heartbeat: Sendable {
        var interval: TimeAmount
        var timeout: TimeAmount
        /// Told why the worker is lost, before the channel is closed: closing a TLS channel waits for the peer's
        /// close_notify, which a frozen or cut-off worker never sends.
        var silent: @Sendable (String) -> Void
    }

    private enum Reading {
        /// The handshake reads one message at a time; what comes before it asks waits, in order.
        case handshaking(buffered: CircularBuffer<Message>, waiter: EventLoopPromise<Message?>?)
        /// Every message goes to `deliver` as it is decoded.
        case serving(deliver: (Message) -> Void)
        /// Messages the handshake had not read yet are still its to read.
        case ended(End, unread: CircularBuffer<Message>)
    }

    private var reading = Reading.handshaking(buffered: [], waiter: nil)
    private let mailbox: OutboundMailbox
    private let counters: WireCounters
    private let loop: any EventLoop
    /// Completed once, when the connection ends; made when the handler joins a pipeline, so that a handler
    /// never added leaves no promise unfulfilled.
    private var end: EventLoopPromise<End>?
    private var context: ChannelHandlerContext?
    /// Whether a read burst is under way, so the mailbox is held until it completes.
    private var readingBurst = false
    private var lastHeard = NIODeadline.uptimeNanoseconds(0)
    private var heartbeats: RepeatedTask?

    /// Completes when the connection ends, saying how. Only once the handler is in a pipeline.
    var ended: EventLoopFuture<End> {
        guard let end = self.end else { preconditionFailure("the handler is not in a pipeline") }
        return end.futureResult
    }

    init(mailbox: OutboundMailbox, counters: WireCounters, eventLoop: any EventLoop) {
        self.mailbox = mailbox
        self.counters = counters
        self.loop = eventLoop
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.end = context.eventLoop.makePromise()
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loop = context.eventLoop
        self.mailbox.attach { loop.execute { handler.value.writePending() } }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.finish(.closed)
        self.context = nil
    }

    /// The next message of the handshake; nil once the connection has closed. One read at a time.
    func next() -> EventLoopFuture<Message?> {
        let loop = self.loop
        switch self.reading {
        case .handshaking(var buffered, nil):
            if let message = buffered.popFirst() {
                self.reading = .handshaking(buffered: buffered, waiter: nil)
                return loop.makeSucceededFuture(message)
            }
            let waiter = loop.makePromise(of: Message?.self)
            self.reading = .handshaking(buffered: buffered, waiter: waiter)
            return waiter.futureResult
        case .handshaking(_, _?), .serving:
            preconditionFailure("the handshake reads one message at a time, and only before the connection is served")
        case .ended(let end, var unread):
            if let message = unread.popFirst() {
                self.reading = .ended(end, unread: unread)
                return loop.makeSucceededFuture(message)
            }
            if case .failed(let error) = end { return loop.makeFailedFuture(error) }
            return loop.makeSucceededFuture(nil)
        }
    }

    /// Hands `deliver` every message from now on, first any the handshake left unread, and starts the
    /// heartbeats. Returns why it cannot, when the connection ended before it was served: the worker's error
    /// report or goodbye if it sent one, else how it ended. Nothing is delivered then.
    func serve(_ deliver: @escaping (Message) -> Void, heartbeat: Heartbeat) -> String? {
        switch self.reading {
        case .handshaking(let buffered, nil):
            self.reading = .serving(deliver: deliver)
            let loop = self.loop
            self.lastHeard = loop.now
            let handler = NIOLoopBound(self, eventLoop: loop)
            self.heartbeats = loop.scheduleRepeatedTask(initialDelay: heartbeat.interval, delay: heartbeat.interval) { _ in
                handler.value.beat(heartbeat)
            }
            for message in buffered {
                guard case .serving = self.reading else { break }
                self.counters.receivedFrame()
                self.deliver(message, to: deliver)
            }
            return nil
        case .ended(let end, let unread):
            for case .error(let report) in unread { return "it reported an error: \(report)" }
            if unread.contains(.goodbye) { return "it said goodbye" }
            switch end {
            case .goodbye: return "it said goodbye"
            case .closed: return "it closed the connection"
            case .failed(let error): return "\(error)"
            }
        case .handshaking(_, _?), .serving:
            preconditionFailure("a connection is served once, after its handshake")
        }
    }

    /// Pings the worker, or, when nothing has been heard from it for the heartbeat's timeout, gives it up.
    private func beat(_ heartbeat: Heartbeat) {
        guard let context, case .serving = self.reading else { return }
        let silence = context.eventLoop.now - self.lastHeard
        guard silence <= heartbeat.timeout else {
            self.heartbeats?.cancel()
            heartbeat.silent("no answer to heartbeats for \(Duration.nanoseconds(silence.nanoseconds))")
            context.close(promise: nil)
            return
        }
        self.counters.sent(frames: 1)
        context.writeAndFlush(Self.wrapOutboundOut(.ping(Ping(sentAt: WireClock.now))), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = Self.unwrapInboundIn(data)
        switch self.reading {
        case .handshaking(var buffered, let waiter):
            if let waiter {
                self.reading = .handshaking(buffered: buffered, waiter: nil)
                waiter.succeed(message)
            } else {
                buffered.append(message)
                self.reading = .handshaking(buffered: buffered, waiter: nil)
            }
        case .serving(let deliver):
            if !self.readingBurst {
                self.readingBurst = true
                self.mailbox.hold()
            }
            self.counters.receivedFrame()
            self.deliver(message, to: deliver)
        case .ended:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Once per read, not per message: the heartbeat needs no finer time than that.
        self.lastHeard = context.eventLoop.now
        if self.readingBurst {
            self.readingBurst = false
            self.writePending()
        }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.finish(.closed)
        context.fireChannelInactive()
    }

    /// The connection's first error ends it; whoever serves it closes the channel, once it has read why.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.finish(.failed(error))
    }

    /// The error that ended the connection, if one did: a write that failed failed because of it.
    var failure: (any Error)? {
        if case .ended(.failed(let error), _) = self.reading { return error }
        return nil
    }

    private func deliver(_ message: Message, to deliver: (Message) -> Void) {
        deliver(message)
        if case .goodbye = message { self.finish(.goodbye) }
    }

    /// Writes what the mailbox holds, in one flush.
    private func writePending() {
        let batch = self.mailbox.take()
        guard let context, !batch.isEmpty else { return }
        self.counters.sent(frames: batch.count)
        for message in batch {
            context.write(Self.wrapOutboundOut(message), promise: nil)
        }
        context.flush()
    }

    private func finish(_ end: End) {
        let waiter: EventLoopPromise<Message?>?
        switch self.reading {
        case .ended:
            return
        case .handshaking(let buffered, let pending):
            waiter = pending
            self.reading = .ended(end, unread: buffered)
        case .serving:
            waiter = nil
            self.reading = .ended(end, unread: [])
        }
        self.heartbeats?.cancel()
        self.mailbox.close()
        if case .failed(let error) = end {
            waiter?.fail(error)
        } else {
            waiter?.succeed(nil)
        }
        self.end?.succeed(end)
    }
}
