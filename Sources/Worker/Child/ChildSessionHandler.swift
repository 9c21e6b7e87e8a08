import FanoutJobs
import FanoutProtocol
import Logging
import NIOCore
import NIOPosix

/// A process-pool child's side of its pipes: greets the parent, runs each job it is sent and answers it, and
/// on drain says goodbye and closes.
///
/// Messages are acted on as they are decoded, on the pipes' event loop. A job computed on a thread alone
/// goes straight to the child's thread, which answers it; one that runs on an event loop starts here; any
/// other runs in a task. The parent sends one job at a time and drains only an idle child.
final class ChildSessionHandler: ChannelInboundHandler {
    typealias InboundIn = Message
    typealias OutboundOut = Message

    private let kinds: JobKinds
    private let environment: JobEnvironment
    private let threads: NIOThreadPool
    private let logger: Logger
    /// Succeeds when the pipes close, or fails with what closed them.
    private let ended: EventLoopPromise<Void>

    init(kinds: JobKinds, environment: JobEnvironment, threads: NIOThreadPool, ended: EventLoopPromise<Void>, logger: Logger) {
        self.kinds = kinds
        self.environment = environment
        self.threads = threads
        self.ended = ended
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        let hello = Hello.worker(
            softwareVersion: SoftwareVersion.current,
            hostName: HostName.current,
            capabilities: WorkerCapabilities(
                poolKind: .processes,
                slots: 1,
                cores: UInt16(clamping: System.coreCount),
                kinds: self.kinds.names
            )
        )
        context.writeAndFlush(self.wrapOutboundOut(.hello(hello)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .submit(let submit):
            // Started tells the parent the job reached this child: if the child dies before, the parent gives
            // the job to the next child; after, the job failed with it.
            context.writeAndFlush(self.wrapOutboundOut(.started(Started(jobID: submit.jobID, attempt: submit.attempt, slot: 0))), promise: nil)
            self.run(submit, answeringOn: context.channel)
        case .drain:
            let channel = context.channel
            context.writeAndFlush(self.wrapOutboundOut(.goodbye)).whenComplete { _ in channel.close(promise: nil) }
        case .ping(let ping):
            let now = WallClock.system.now()
            context.writeAndFlush(self.wrapOutboundOut(.pong(Pong(pingSentAt: ping.sentAt, receivedAt: now, sentAt: now))), promise: nil)
        case let message:
            self.logger.error("child got an unexpected message from its parent", metadata: ["message": "\(message.type)"])
            let report = ErrorReport(code: .unexpectedMessage, message: "a child does not take \(message.type)")
            let channel = context.channel
            context.writeAndFlush(self.wrapOutboundOut(.error(report))).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.ended.succeed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.ended.fail(error)
        context.close(promise: nil)
    }

    /// Runs `submit` and writes its result to `channel`, from wherever the job ends.
    private func run(_ submit: Submit, answeringOn channel: any Channel) {
        let start = ContinuousClock.now
        let startedAt = WallClock.system.now()
        let answer: @Sendable (JobOutcome) -> Void = { outcome in
            let result = JobResult(
                jobID: submit.jobID,
                attempt: submit.attempt,
                outcome: outcome,
                slot: 0,
                runNanoseconds: JobDispatcher.nanoseconds(from: start, to: .now),
                startedAt: startedAt
            )
            channel.writeAndFlush(Message.result(result), promise: nil)
        }
        let (kinds, limit) = (self.kinds, self.environment.maximumOutputLength)
        if kinds.computesOnThread(submit.kind) {
            self.threads.compute(submit, kinds: kinds, maximumOutputLength: limit, then: answer)
        } else if let outcome = kinds.start(submit.kind, payload: submit.payload, on: channel.eventLoop, maximumOutputLength: limit) {
            // Never failed: a job that throws is an outcome.
            outcome.whenSuccess(answer)
        } else {
            let context = JobContext(jobID: submit.jobID, attempt: Int(submit.attempt), slot: 0, environment: self.environment)
            Task { answer(await kinds.run(submit.kind, payload: submit.payload, context: context)) }
        }
    }
}
