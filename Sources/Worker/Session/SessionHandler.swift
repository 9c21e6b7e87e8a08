import FanoutJobs
import FanoutProtocol
import Logging
import NIOCore
import NIOSSL
import X509

/// Serves one coordinator's connection on its event loop: reads its messages in order and acts on each as it
/// comes, and writes what the session's ``SessionOutbox`` collects, a batch per flush.
///
/// Whatever the coordinator sends, only this session ends. It writes only while the channel is writable, so
/// replies the coordinator does not read wait in the outbox; while ``SessionOutbox/pendingLimit`` of them
/// wait, or a file is being stored, it reads nothing more.
final class SessionHandler: ChannelDuplexHandler {
    typealias InboundIn = Message
    typealias OutboundIn = Message
    typealias OutboundOut = Message

    private enum Reading {
        /// Until the coordinator's hello.
        case awaitingHello
        /// Serving the coordinator whose certificate has this subject.
        case open(requester: String?)
        /// The session is ending; what is read is dropped.
        case ended
    }

    /// How long the session's last words (an error, or goodbye) may take to be written before the connection
    /// is closed anyway.
    static let lastWordsGrace = TimeAmount.seconds(2)

    private let session: WorkerSession
    private var reading = Reading.awaitingHello
    /// A put is being stored: messages read meanwhile wait in `backlog`, in order, and no more are read.
    private var storing = false
    private var backlog = CircularBuffer<Message>()
    /// A read the channel asked for and this handler held back.
    private var readHeld = false
    private var handshakeTimer: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    init(session: WorkerSession) {
        self.session = session
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loop = context.eventLoop
        self.session.outbox.attach { loop.execute { handler.value.flush() } }
        if context.channel.isActive { self.startHandshakeTimer(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.end()
        self.session.outbox.close()
        self.session.outbox.detach()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        self.startHandshakeTimer(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .awaitingHello = self.reading { self.session.logger.info("peer left before its hello") }
        self.session.outbox.close()
        self.end()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = Self.unwrapInboundIn(data)
        if self.storing {
            self.backlog.append(message)
        } else {
            self.handle(message, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case .ended = self.reading { return }
        let logger = self.session.logger
        switch error {
        case let error as ProtocolError:
            logger.warning("peer broke the protocol", metadata: ["error": "\(error)"])
            self.session.outbox.fail(with: error.report)
        case let error as NIOSSLError:
            if let reason = TLSRefusal.explainedToWorker(error) {
                logger.warning("TLS handshake refused", metadata: ["reason": "\(reason)"])
            } else {
                logger.warning("TLS failed", metadata: ["error": "\(error)"])
            }
            self.closeSession()
        default:
            logger.warning("connection failed", metadata: ["error": "\(error)"])
            self.closeSession()
        }
        self.end()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { self.flush() }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if case .ended = self.reading {
            // Nothing more is acted on; a peer that keeps sending is not read, and goes idle.
            self.readHeld = true
        } else if self.storing || !self.session.outbox.hasRoom {
            self.readHeld = true
        } else {
            context.read()
        }
    }

    /// Writes what the outbox holds, once the channel is writable; closes the connection after the session's
    /// last words, or at once when it has none.
    private func flush() {
        guard let context = self.context else { return }
        // An unwritable channel takes nothing more; it flushes again once writable.
        guard context.channel.isWritable || self.session.outbox.isClosed else { return }
        switch self.session.outbox.take() {
        case .nothing:
            break
        case .closed:
            context.close(promise: nil)
        case .batch(let batch):
            for message in batch.messages.dropLast() {
                context.write(Self.wrapOutboundOut(message), promise: nil)
            }
            if let last = batch.messages.last {
                if batch.isLast {
                    // Closed once the last words are written, or after a grace period if they cannot be: a peer
                    // still in its TLS handshake, or not reading, does not hold the connection open.
                    let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
                    let deadline = context.eventLoop.scheduleTask(in: Self.lastWordsGrace) { handler.value.context?.close(promise: nil) }
                    context.writeAndFlush(Self.wrapOutboundOut(last)).assumeIsolated().whenComplete { _ in
                        deadline.cancel()
                        context.close(promise: nil)
                    }
                } else {
                    context.writeAndFlush(Self.wrapOutboundOut(last), promise: nil)
                }
            }
            self.resumeReading(context)
        }
    }

    private func resumeReading(_ context: ChannelHandlerContext) {
        if case .ended = self.reading { return }
        guard self.readHeld, !self.storing, self.session.outbox.hasRoom else { return }
        self.readHeld = false
        context.read()
    }

    private func startHandshakeTimer(_ context: ChannelHandlerContext) {
        guard self.handshakeTimer == nil else { return }
        let timeout = self.session.handshakeTimeout
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.handshakeTimer = context.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            handler.value.handshakeTimedOut(after: timeout)
        }
    }

    private func handshakeTimedOut(after timeout: Duration) {
        guard case .awaitingHello = self.reading else { return }
        self.session.outbox.fail(with: ErrorReport(code: .handshakeRefused, message: "no hello within \(timeout)"))
        self.end()
    }

    /// Stops reading for good; the session's clean-up may begin once no file is being stored.
    private func end() {
        self.reading = .ended
        self.handshakeTimer?.cancel()
        self.backlog.removeAll()
        if !self.storing { self.session.readerEnded.succeed() }
    }

    /// Ends the session without a word: what is unwritten is dropped, and the connection closes.
    private func closeSession() {
        self.session.outbox.close()
        self.end()
        // A flush asked for while the channel was unwritable has not run; this one closes.
        self.flush()
    }

    private func refuse(_ report: ErrorReport) {
        self.session.logger.warning("handshake refused", metadata: ["error": "\(report)"])
        self.session.outbox.fail(with: report)
        self.end()
    }

    private func handle(_ message: Message, context: ChannelHandlerContext) {
        switch self.reading {
        case .ended:
            return
        case .awaitingHello:
            self.greet(message, context: context)
        case .open(let requester):
            self.serve(message, requester: requester, context: context)
        }
    }

    private func greet(_ message: Message, context: ChannelHandlerContext) {
        guard case .hello(let peer) = message else {
            return self.refuse(ErrorReport(code: .unexpectedMessage, message: "expected hello first, got \(message.type)"))
        }
        guard peer.role == .coordinator else {
            return self.refuse(
                ErrorReport(code: .handshakeRefused, message: "this is a worker; only a coordinator may connect, not a \(peer.role)")
            )
        }
        self.handshakeTimer?.cancel()
        self.session.outbox.greet(with: self.session.hello)
        let requester = Self.peerSubject(context)
        self.session.logger.info(
            "coordinator said hello",
            metadata: [
                "peer.host": "\(peer.hostName)", "peer.version": "\(peer.softwareVersion)", "peer.subject": "\(requester ?? "unknown")",
            ]
        )
        self.reading = .open(requester: requester)
    }

    /// The subject of the certificate the coordinator presented, as RFC 4514 text; nil when it cannot be read.
    private static func peerSubject(_ context: ChannelHandlerContext) -> String? {
        guard let certificate = try? context.pipeline.syncOperations.nioSSL_peerCertificate(),
            let der = try? certificate.toDERBytes()
        else { return nil }
        return try? Certificate(derEncoded: der).subject.description
    }

    /// Acts on one message after the handshake.
    private func serve(_ message: Message, requester: String?, context: ChannelHandlerContext) {
        let session = self.session
        switch message {
        case .put(let put):
            self.store(put, requester: requester, context: context)
        case .submit(let submit):
            let kinds = session.hello.capabilities?.kinds ?? []
            guard Int(submit.kind.rawValue) < kinds.count else {
                let failure = JobFailure.unknownKind(submit.kind, among: kinds.count)
                session.outbox.post(.result(JobResult(jobID: submit.jobID, attempt: submit.attempt, outcome: .failed(failure), slot: nil)))
                return
            }
            switch session.outbox.admit(submit.jobID) {
            case .accepted:
                let folder: String?
                do {
                    folder = try session.files.folderForJob()
                } catch {
                    return self.refuse(error.report)
                }
                let origin = JobOrigin(requester: requester, transferFolder: folder)
                session.dispatcher.submit(submit, from: session.id, origin: origin, outbox: session.outbox, on: context.eventLoop)
            case .draining:
                let failure = JobFailure(code: .shuttingDown, message: "the worker is draining this session")
                session.outbox.post(.result(JobResult(jobID: submit.jobID, attempt: submit.attempt, outcome: .failed(failure), slot: nil)))
            case .duplicate:
                self.refuse(ErrorReport(code: .duplicateJob, message: "\(submit.jobID) is already in flight on this connection"))
            }
        case .cancel(let cancel):
            session.dispatcher.cancel(cancel.jobID, of: session.id)
        case .drain:
            session.logger.info("drain requested", metadata: ["jobs.inFlight": "\(session.outbox.inFlightCount)"])
            session.outbox.beginDrain()
        case .ping(let ping):
            let now = session.clock.now()
            session.outbox.post(.pong(Pong(pingSentAt: ping.sentAt, receivedAt: now, sentAt: now)))
        case .pong:
            break
        case .goodbye:
            session.logger.info("coordinator said goodbye")
            self.closeSession()
        case .error(let report):
            session.logger.warning("coordinator reported an error", metadata: ["error": "\(report)"])
            self.closeSession()
        case .hello, .started, .result:
            self.refuse(ErrorReport(code: .unexpectedMessage, message: "a coordinator does not send \(message.type) to a worker"))
        }
    }

    /// Stores `put` off the event loop, reading nothing more until it is stored.
    private func store(_ put: Put, requester: String?, context: ChannelHandlerContext) {
        self.storing = true
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.session.files.receive(put, on: context.eventLoop).whenComplete { stored in
            handler.value.stored(
                put,
                stored.mapError { $0 as? ProtocolError ?? ProtocolError(.transferFailed, "cannot store \(put.name): \($0)") },
                requester: requester
            )
        }
    }

    private func stored(_ put: Put, _ stored: Result<String?, ProtocolError>, requester: String?) {
        self.storing = false
        if case .ended = self.reading {
            self.session.readerEnded.succeed()
            return
        }
        switch stored {
        case .success(let path?):
            self.session.logger.info(
                "received a file",
                metadata: ["file.path": "\(path)", "file.bytes": "\(put.size)", "coordinator.subject": "\(requester ?? "none")"]
            )
        case .success(nil):
            break
        case .failure(let error):
            self.refuse(error.report)
            return
        }
        guard let context = self.context else { return }
        while !self.storing, let next = self.backlog.popFirst() {
            self.handle(next, context: context)
        }
        self.resumeReading(context)
    }
}
