import FanoutJobs
import FanoutProtocol
import Logging
import NIOCore
import NIOSSL
import Synchronization
import X509

/// One coordinator's connection: the handshake, then its jobs, until it drains, leaves or breaks the protocol.
///
/// A reader takes the coordinator's messages; a writer sends what the session's ``SessionOutbox`` collects,
/// a batch per flush. Whatever the coordinator sends, only this session ends.
struct WorkerSession: Sendable {
    let id: SessionID
    let channel: NIOAsyncChannel<Message, Message>
    let outbox: SessionOutbox
    /// The files the coordinator sends before its jobs.
    let files: SessionFiles
    let dispatcher: JobDispatcher
    /// Our hello, sent once the coordinator's has arrived.
    let hello: Hello
    let handshakeTimeout: Duration
    let clock: WallClock
    let logger: Logger

    func run() async {
        var logger = self.logger
        logger[metadataKey: "worker.session"] = "\(self.id.rawValue)"
        if let peer = self.channel.channel.remoteAddress {
            logger[metadataKey: "peer.address"] = "\(peer)"
        }
        logger.info("connection opened")
        let sessionLogger = logger
        do {
            try await self.channel.executeThenClose { inbound, outbound in
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await self.read(inbound, logger: sessionLogger) }
                    group.addTask { await self.enforceHandshakeTimeout() }
                    await self.write(outbound)
                    group.cancelAll()
                    // The reader may be waiting for bytes that will never come; closing ends its wait.
                    self.channel.channel.close(promise: nil)
                }
            }
        } catch {
            logger.debug("connection closed with an error", metadata: ["error": "\(error)"])
        }
        self.outbox.close()
        // The session's commands are killed; the run folder goes once they have exited.
        for command in self.dispatcher.endSession(self.id) {
            await command.value
        }
        if let left = await self.files.remove() {
            logger.warning("the run folder could not be removed", metadata: ["worker.runFolder": "\(left)"])
        }
        logger.info("connection closed")
    }

    private func write(_ outbound: NIOAsyncChannelOutboundWriter<Message>) async {
        while let batch = await self.outbox.nextBatch() {
            do {
                try await outbound.write(contentsOf: batch.messages)
            } catch {
                self.outbox.close()
                return
            }
            if batch.isLast { return }
        }
    }

    private func enforceHandshakeTimeout() async {
        do {
            try await Task.sleep(for: self.handshakeTimeout)
        } catch {
            return
        }
        if !self.outbox.isGreeted {
            self.outbox.fail(
                with: ErrorReport(code: .handshakeRefused, message: "no hello within \(self.handshakeTimeout)")
            )
        }
    }

    private func read(_ inbound: NIOAsyncChannelInboundStream<Message>, logger: Logger) async {
        var messages = inbound.makeAsyncIterator()
        do {
            guard let first = try await messages.next() else {
                logger.info("peer left before its hello")
                self.outbox.close()
                return
            }
            guard case .hello(let peer) = first else {
                return self.refuse(ErrorReport(code: .unexpectedMessage, message: "expected hello first, got \(first.type)"), logger)
            }
            guard peer.role == .coordinator else {
                return self.refuse(
                    ErrorReport(code: .handshakeRefused, message: "this is a worker; only a coordinator may connect, not a \(peer.role)"),
                    logger
                )
            }
            self.outbox.greet(with: self.hello)
            let requester = await self.peerSubject()
            logger.info(
                "coordinator said hello",
                metadata: [
                    "peer.host": "\(peer.hostName)", "peer.version": "\(peer.softwareVersion)",
                    "peer.subject": "\(requester ?? "unknown")",
                ]
            )
            while let message = try await messages.next() {
                guard await self.handle(message, requester: requester, logger: logger) else { return }
                await self.outbox.waitForRoom()
            }
            self.outbox.close()
        } catch let error as ProtocolError {
            logger.warning("peer broke the protocol", metadata: ["error": "\(error)"])
            self.outbox.fail(with: error.report)
        } catch let error as NIOSSLError {
            if let reason = TLSRefusal.explainedToWorker(error) {
                logger.warning("TLS handshake refused", metadata: ["reason": "\(reason)"])
            } else {
                logger.warning("TLS failed", metadata: ["error": "\(error)"])
            }
            self.outbox.close()
        } catch is CancellationError {
            return
        } catch {
            logger.warning("connection failed", metadata: ["error": "\(error)"])
            self.outbox.close()
        }
    }

    private func refuse(_ report: ErrorReport, _ logger: Logger) {
        logger.warning("handshake refused", metadata: ["error": "\(report)"])
        self.outbox.fail(with: report)
    }

    /// The subject of the certificate the coordinator presented, as RFC 4514 text; nil when it cannot be read.
    private func peerSubject() async -> String? {
        let channel = self.channel.channel
        // Read on the channel's event loop, where the TLS handler and its certificate live; only text leaves it.
        return try? await channel.eventLoop.submit { () -> String? in
            guard let certificate = try channel.pipeline.syncOperations.nioSSL_peerCertificate() else { return nil }
            return try Certificate(derEncoded: certificate.toDERBytes()).subject.description
        }.get()
    }

    /// Handles one message after the handshake; false when the session must end.
    private func handle(_ message: Message, requester: String?, logger: Logger) async -> Bool {
        switch message {
        case .put(let put):
            do {
                if let path = try await self.files.receive(put) {
                    logger.info(
                        "received a file",
                        metadata: ["file.path": "\(path)", "file.bytes": "\(put.size)", "coordinator.subject": "\(requester ?? "none")"]
                    )
                }
            } catch {
                self.refuse(error.report, logger)
                return false
            }
        case .submit(let submit):
            let kinds = self.hello.capabilities?.kinds ?? []
            guard Int(submit.kind.rawValue) < kinds.count else {
                self.outbox.post(
                    .result(
                        JobResult(
                            jobID: submit.jobID,
                            attempt: submit.attempt,
                            outcome: .failed(.unknownKind(submit.kind, among: kinds.count)),
                            slot: nil
                        )
                    )
                )
                return true
            }
            switch self.outbox.admit(submit.jobID) {
            case .accepted:
                let folder: String?
                do {
                    folder = try self.files.folderForJob()
                } catch {
                    self.refuse(error.report, logger)
                    return false
                }
                let origin = JobOrigin(requester: requester, transferFolder: folder)
                self.dispatcher.submit(submit, from: self.id, origin: origin, outbox: self.outbox)
            case .draining:
                self.outbox.post(
                    .result(
                        JobResult(
                            jobID: submit.jobID,
                            attempt: submit.attempt,
                            outcome: .failed(JobFailure(code: .shuttingDown, message: "the worker is draining this session")),
                            slot: nil
                        )
                    )
                )
            case .duplicate:
                self.refuse(
                    ErrorReport(code: .duplicateJob, message: "\(submit.jobID) is already in flight on this connection"),
                    logger
                )
                return false
            }
        case .cancel(let cancel):
            self.dispatcher.cancel(cancel.jobID, of: self.id)
        case .drain:
            logger.info("drain requested", metadata: ["jobs.inFlight": "\(self.outbox.inFlightCount)"])
            self.outbox.beginDrain()
        case .ping(let ping):
            let now = self.clock.now()
            self.outbox.post(.pong(Pong(pingSentAt: ping.sentAt, receivedAt: now, sentAt: now)))
        case .pong:
            break
        case .goodbye:
            logger.info("coordinator said goodbye")
            self.outbox.close()
            return false
        case .error(let report):
            logger.warning("coordinator reported an error", metadata: ["error": "\(report)"])
            self.outbox.close()
            return false
        case .hello, .started, .result:
            self.refuse(
                ErrorReport(code: .unexpectedMessage, message: "a coordinator does not send \(message.type) to a worker"),
                logger
            )
            return false
        }
        return true
    }
}
