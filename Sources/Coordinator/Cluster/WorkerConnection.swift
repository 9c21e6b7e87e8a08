import FanoutLocking
import FanoutProtocol
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// The coordinator's end of one worker connection: the handshake, then a ``WorkerConnectionHandler`` that hands
/// every message to the cluster, writes the mailbox's batches and keeps the heartbeat.
final class WorkerConnection: Sendable {
    let id: WorkerID
    let address: WorkerAddress
    /// `host:port`, made once: every job sent here is told it.
    let name: String
    let mailbox = OutboundMailbox()
    private let pings = Locked(Pings())
    private let offset = Locked(ClockOffset())

    /// Pings waiting for their pong.
    private struct Pings {
        /// By the `sentAt` of their ping, unique to each.
        var waiting = Waiters<UInt64, (pong: Pong, receivedAt: UInt64)?>()
        var lastSentAt: UInt64 = 0
        /// The connection has ended: no pong will come.
        var closed = false
    }

    init(id: WorkerID, address: WorkerAddress) {
        self.id = id
        self.address = address
        self.name = address.description
    }

    /// An open channel to the worker, and the handler that reads it and writes the mailbox.
    struct Channel: Sendable {
        let channel: any NIOCore.Channel
        private let handler: NIOLoopBound<WorkerConnectionHandler>

        init(_ channel: any NIOCore.Channel, handler: NIOLoopBound<WorkerConnectionHandler>) {
            self.channel = channel
            self.handler = handler
        }

        /// The next message of the handshake; nil once the connection has closed.
        func next() async throws -> Message? {
            let handler = self.handler
            return try await self.channel.eventLoop.flatSubmit { handler.value.next() }.get()
        }

        /// Writes `message` at once, and returns once it has been written. When the write fails because the
        /// connection failed (a TLS handshake refused, say), throws what failed it.
        func write(_ message: Message) async throws {
            do {
                try await self.channel.writeAndFlush(message).get()
            } catch {
                let handler = self.handler
                let cause = try? await self.channel.eventLoop.submit { handler.value.failure }.get()
                throw (cause ?? nil) ?? error
            }
        }

        /// Hands `deliver` every message from now on, on the channel's event loop, where the mailbox is written
        /// too; pings every `interval`, and when nothing has been heard for `timeout`, calls `silent` and closes
        /// the channel.
        ///
        /// - Throws: a ``ClusterError`` when the connection ended first, with what the worker said last.
        func serve(
            heartbeatInterval interval: Duration,
            timeout: Duration,
            silent: @escaping @Sendable (String) -> Void,
            _ deliver: @escaping @Sendable (Message) -> Void
        ) async throws {
            let handler = self.handler
            let heartbeat = WorkerConnectionHandler.Heartbeat(
                interval: .nanoseconds(Int64(clamping: interval.wireNanoseconds)),
                timeout: .nanoseconds(Int64(clamping: timeout.wireNanoseconds)),
                silent: silent
            )
            let refusal = try await self.channel.eventLoop.submit { handler.value.serve(deliver, heartbeat: heartbeat) }.get()
            if let refusal { throw ClusterError(.handshakeFailed, "the connection ended before it was served: \(refusal)") }
        }

        /// How the connection ended, once it has.
        func ended() async throws -> WorkerConnectionHandler.End {
            let handler = self.handler
            return try await self.channel.eventLoop.flatSubmit { handler.value.ended }.get()
        }
    }

    /// Connects over mutual TLS; returns the open channel. `stopping` closes the channel if it stops first.
    func open(
        context: NIOSSLContext,
        configuration: ClusterConfiguration,
        counters: WireCounters,
        stopping: StopSignal
    ) async throws -> Channel {
        let limits = configuration.frameLimits
        let host = self.address.host.description
        let mailbox = self.mailbox
        return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.nanoseconds(Int64(clamping: configuration.connectTimeout.wireNanoseconds)))
            .connect(host: host, port: self.address.port) { channel in
                stopping.closeOnStop(channel)
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    let handler = WorkerConnectionHandler(mailbox: mailbox, counters: counters, eventLoop: channel.eventLoop)
                    try pipeline.addHandler(counters.makeHandler())
                    try pipeline.addHandler(MutualTLS.makeClientHandler(context: context, host: host))
                    try pipeline.addMessageFraming(limits: limits)
                    try pipeline.addHandler(handler)
                    return Channel(channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
                }
            }
    }

    /// Says hello and reads the worker's, then pings once so that its clock offset is known before any job runs;
    /// throws a ``ClusterError`` saying why it will not do.
    func handshake(over channel: Channel, configuration: ClusterConfiguration) async throws -> Hello {
        do {
            try await channel.write(
                .hello(.coordinator(softwareVersion: SoftwareVersion.current, hostName: configuration.hostName))
            )
            let hello: Hello
            switch try await channel.next() {
            case .hello(let worker)? where worker.role == .worker && worker.capabilities != nil:
                hello = worker
            case .hello(let hello)?:
                throw ClusterError(.handshakeFailed, "it is a \(hello.role), not a worker")
            case .error(let report)?:
                throw ClusterError(.handshakeFailed, "it refused the handshake: \(report)")
            case let other?:
                throw ClusterError(.handshakeFailed, "it answered the hello with \(other.type)")
            case nil:
                throw ClusterError(.handshakeFailed, "it closed the connection during the handshake")
            }
            try await channel.write(.ping(Ping(sentAt: WireClock.now)))
            switch try await channel.next() {
            case .pong(let pong)?:
                self.heard(.pong(pong))
            case let other?:
                throw ClusterError(.handshakeFailed, "it answered the first ping with \(other.type)")
            case nil:
                throw ClusterError(.handshakeFailed, "it closed the connection during the handshake")
            }
            return hello
        } catch let error as ProtocolError where error.code == .versionMismatch {
            throw ClusterError(.handshakeFailed, error.message, cause: error)
        } catch let error as ClusterError {
            throw error
        } catch {
            throw ClusterError(.handshakeFailed, Self.refusal(error) ?? "handshake failed: \(Self.describeFailure(error))", cause: error)
        }
    }

    /// Sends every file of ``ClusterConfiguration/transfers``, before any job, then pings: the pong says the
    /// worker has stored them all, as it reads in order. A frame not taken within the heartbeat timeout, or a
    /// pong not back within the connect timeout, closes `channel`: the worker or the link is stuck.
    ///
    /// - Throws: a ``ClusterError`` naming the file when the worker refuses or cannot store it.
    func sendFiles(_ configuration: ClusterConfiguration, over channel: Channel, counters: WireCounters) async throws {
        guard !configuration.transfers.isEmpty else { return }
        let deadline = configuration.heartbeatTimeout
        for file in configuration.transfers {
            for put in file.puts(within: configuration.frameLimits) {
                counters.sent(frames: 1)
                try await Self.send(.put(put), over: channel, within: deadline)
            }
        }
        counters.sent(frames: 1)
        try await Self.send(.ping(Ping(sentAt: WireClock.now)), over: channel, within: deadline)
        // What the socket buffers still hold is stored before the pong: more than one frame's worth.
        let answer = try await withDeadline(configuration.connectTimeout, channel: channel.channel) { try await channel.next() }
        switch answer {
        case .pong(let pong)?:
            counters.receivedFrame()
            self.heard(.pong(pong))
        case .error(let report)?:
            throw Self.filesRefused(report)
        case let other?:
            throw ClusterError(.filesRefused, "it answered the run's files with \(other.type)")
        case nil:
            throw ClusterError(.filesRefused, "the connection closed before it confirmed the run's files (it must take each part within \(deadline), and store them all within \(configuration.connectTimeout))")
        }
    }

    /// Writes one message of the run's files, closing the channel if it is not taken within `deadline`.
    ///
    /// - Throws: a ``ClusterError`` when the worker refused the files: it says why, then closes, so a write
    ///   failing only says it closed.
    private static func send(_ message: Message, over channel: Channel, within deadline: Duration) async throws {
        do {
            try await withDeadline(deadline, channel: channel.channel) { try await channel.write(message) }
        } catch {
            if case .error(let report)? = try? await channel.next() { throw Self.filesRefused(report) }
            throw error
        }
    }

    private static func filesRefused(_ report: ErrorReport) -> ClusterError {
        ClusterError(.filesRefused, "it did not take the run's files: \(report.message) [\(report.code)]")
    }

    /// Answers the worker's pings, and matches pongs to pings.
    func heard(_ message: Message) {
        switch message {
        case .ping(let ping):
            let now = WireClock.now
            self.mailbox.postReply(.pong(Pong(pingSentAt: ping.sentAt, receivedAt: now, sentAt: now)))
        case .pong(let pong):
            let now = WireClock.now
            self.offset.withLock { $0.add(pong, receivedBack: now) }
            self.pings.withLock { $0.waiting.take(pong.pingSentAt) }?.resume(returning: (pong, now))
        default:
            break
        }
    }

    /// The worker's clock against the coordinator's, as the pongs so far say; nil before the first.
    var clockOffset: ClockOffset.Sample? { self.offset.withLock { $0.best } }

    /// The pongs' samples so far, for the last round trip as well as the best.
    var clockOffsetEstimate: ClockOffset { self.offset.withLock { $0 } }

    /// `workerTime`, read on the worker's clock, on the coordinator's, and how far that may be off.
    func coordinatorTime(ofWorkerTime workerTime: UInt64) -> (time: UInt64, bound: Duration?) {
        self.offset.withLock { offset in
            (offset.coordinatorTime(ofWorkerTime: workerTime), offset.best.map { .nanoseconds($0.roundTripNanoseconds / 2) })
        }
    }

    /// Sends a ping and waits for its pong, with when the reader took it; nil if the connection ends first.
    func ping() async -> (pong: Pong, receivedAt: UInt64)? {
        let sentAt = self.pings.withLock { pings in
            pings.lastSentAt = max(WireClock.now, pings.lastSentAt + 1)
            return pings.lastSentAt
        }
        return await suspend(ifCancelled: nil) { waiter in
            let parking = self.pings.withLock { pings in pings.closed ? .now(nil) : pings.waiting.park(waiter, as: sentAt) }
            if case .parked = parking { self.mailbox.post(.ping(Ping(sentAt: sentAt))) }
            return parking
        } unpark: {
            self.pings.withLock { $0.waiting.take(sentAt) }
        }
    }

    /// Ends every wait for a pong.
    func closed() {
        self.mailbox.close()
        let waiting = self.pings.withLock { pings in
            pings.closed = true
            return pings.waiting.takeAll()
        }
        waiting.forEach { $0.resume(returning: nil) }
    }

    /// TLS and socket errors, in a sentence.
    static func describe(_ error: any Error) -> String {
        Self.refusal(error) ?? Self.describeFailure(error)
    }

    /// What a TLS refusal says of why the handshake was refused; nil for any other error.
    private static func refusal(_ error: any Error) -> String? {
        TLSRefusal.explainedToCoordinator(error).map { "TLS handshake refused: \($0)" }
    }

    private static func describeFailure(_ error: any Error) -> String {
        switch error {
        case let error as NIOSSLError: "TLS: \(error)"
        case let error as IOError: error.description
        case let error as ChannelError: "\(error)"
        default: "\(error)"
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
