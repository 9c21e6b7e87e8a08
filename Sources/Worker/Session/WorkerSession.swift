import FanoutJobs
import FanoutProtocol
import Logging
import NIOCore

/// One coordinator's connection: the handshake, then its jobs, until it drains, leaves or breaks the protocol.
///
/// Its ``SessionHandler`` serves it on the connection's event loop; ``run()`` waits for it to end and then
/// cleans up after it. Whatever the coordinator sends, only this session ends.
struct WorkerSession: Sendable {
    let id: SessionID
    let channel: any Channel
    let outbox: SessionOutbox
    /// The files the coordinator sends before its jobs.
    let files: SessionFiles
    let dispatcher: JobDispatcher
    /// Our hello, sent once the coordinator's has arrived.
    let hello: Hello
    let handshakeTimeout: Duration
    let clock: WallClock
    /// Tagged with the session and the peer's address.
    let logger: Logger
    /// Succeeded once the handler reads no more and stores no file.
    let readerEnded: EventLoopPromise<Void>

    init(
        id: SessionID,
        channel: any Channel,
        outbox: SessionOutbox,
        files: SessionFiles,
        dispatcher: JobDispatcher,
        hello: Hello,
        handshakeTimeout: Duration,
        clock: WallClock,
        logger: Logger
    ) {
        self.id = id
        self.channel = channel
        self.outbox = outbox
        self.files = files
        self.dispatcher = dispatcher
        self.hello = hello
        self.handshakeTimeout = handshakeTimeout
        self.clock = clock
        var logger = logger
        logger[metadataKey: "worker.session"] = "\(id.rawValue)"
        if let peer = channel.remoteAddress {
            logger[metadataKey: "peer.address"] = "\(peer)"
        }
        self.logger = logger
        self.readerEnded = channel.eventLoop.makePromise()
    }

    /// Waits for the connection to close, then stops the session's jobs and removes its files.
    func run() async {
        self.logger.info("connection opened")
        try? await self.channel.closeFuture.get()
        self.outbox.close()
        // A put still being stored ends before its folder can go.
        try? await self.readerEnded.futureResult.get()
        // The session's commands are killed; the run folder goes once they have exited.
        for command in self.dispatcher.endSession(self.id) {
            await command.value
        }
        if let left = await self.files.remove() {
            self.logger.warning("the run folder could not be removed", metadata: ["worker.runFolder": "\(left)"])
        }
        self.logger.info("connection closed")
    }
}
