#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FanoutProtocol
import NIOCore

/// A job on its way to a process-pool child: what to send, and whom to tell when it starts and ends.
struct ChildRequest: Sendable {
    var submit: Submit
    var started: @Sendable () -> Void
    var done: @Sendable (JobOutcome) -> Void
}

/// How a child's pipes ended.
enum ChildEnding: Sendable {
    /// The child was drained and said goodbye.
    case drained
    /// The child died; `running` is the job it was running, if any.
    case died(running: ChildRequest?)
    /// The child died before it said `next` reached it: the next child takes `next`.
    case diedIdle(next: ChildRequest)
    /// The child died before it said hello, or its hello listed other kinds than this worker's: it is not the
    /// same program.
    case failedToStart(String)
}

/// What a child that has just become idle does next, as its slot says.
enum ChildAssignment: Sendable {
    case run(ChildRequest)
    case drain
    /// Nothing yet: the slot keeps the child's ``ChildLink`` and sends it the next job.
    case wait
}

/// What the parent's side of a child's pipes asks of the slot that owns the child.
struct ChildSlotCalls: Sendable {
    /// The child is idle: its next job, its drain, or nothing yet.
    var assign: @Sendable (ChildLink) -> ChildAssignment
    /// Records the job as the one the child (its pid given) runs; false when it was answered early and must
    /// not be sent.
    var claim: @Sendable (JobID, pid_t) -> Bool
    /// The child has answered its job: any mark for it is stale now.
    var answered: @Sendable () -> Void
    /// A job given to the child after it died, which it never got: it goes to the slot's next child.
    var returned: @Sendable (ChildRequest) -> Void
}

/// A handle, usable from any thread, on the parent's side of one child's pipes.
struct ChildLink: Sendable {
    let pid: pid_t
    fileprivate let handler: NIOLoopBound<ChildConnectionHandler>

    /// Gives the idle child `assignment`, on its pipes' event loop.
    func give(_ assignment: ChildAssignment) {
        let handler = self.handler
        handler.eventLoop.execute { handler.value.take(assignment) }
    }
}

/// The parent's side of one child's pipes: sends the child one job at a time and hears its answers, on the
/// pipes' event loop, and completes ``ended`` with how the pipes ended once they close.
final class ChildConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = Message
    typealias OutboundOut = Message

    enum State {
        /// Started; no hello yet.
        case greeting
        case idle
        /// `reached` once the child has said the job reached it.
        case running(ChildRequest, reached: Bool)
        case draining(saidGoodbye: Bool)
        case ended
    }

    private var state = State.greeting
    private let pid: pid_t
    /// The kinds this worker runs, which the child's hello must list too, in the same order.
    private let kinds: [JobKindName]
    private let slot: ChildSlotCalls
    private let ended: EventLoopPromise<ChildEnding>
    private var context: ChannelHandlerContext?

    init(pid: pid_t, kinds: [JobKindName], slot: ChildSlotCalls, ended: EventLoopPromise<ChildEnding>) {
        self.pid = pid
        self.kinds = kinds
        self.slot = slot
        self.ended = ended
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.end(.died(running: nil))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = self.unwrapInboundIn(data)
        switch (self.state, message) {
        case (.greeting, .hello(let hello)):
            guard let theirs = hello.capabilities?.kinds, theirs == self.kinds else {
                let listed = hello.capabilities?.kinds.map(\.description).joined(separator: ", ") ?? "none"
                // Not our program: it need not stop at the end of its input.
                kill(self.pid, SIGKILL)
                self.end(.failedToStart("after a hello that lists other job kinds than this worker's (\(listed)): it is not the same program"))
                context.close(promise: nil)
                return
            }
            self.state = .idle
            self.becomeIdle(context: context)
        case (.greeting, _):
            // Its pipes close: it must not live on, for the supervisor waits for it to exit.
            kill(self.pid, SIGKILL)
            self.end(.failedToStart("before it said hello"))
            context.close(promise: nil)
        case (.running(let request, reached: false), .started(let started)) where started.jobID == request.submit.jobID:
            self.state = .running(request, reached: true)
            request.started()
        case (.running(let request, _), .result(let result)) where result.jobID == request.submit.jobID:
            self.state = .idle
            self.slot.answered()
            request.done(result.outcome)
            self.becomeIdle(context: context)
        case (.draining, .goodbye):
            self.state = .draining(saidGoodbye: true)
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        switch self.state {
        case .greeting:
            self.end(.failedToStart("before it said hello"))
        case .idle:
            self.end(.died(running: nil))
        case .running(let request, let reached):
            // Dead before it said the job reached it: the job never ran, and goes to the next child.
            self.end(reached ? .died(running: request) : .diedIdle(next: request))
        case .draining(let saidGoodbye):
            self.end(saidGoodbye ? .drained : .died(running: nil))
        case .ended:
            break
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A frame that does not decode, or a write to a child that has died: the child is of no more use, and
        // the supervisor waits for it to exit. What the state says when the pipes close is the ending.
        kill(self.pid, SIGKILL)
        context.close(promise: nil)
    }

    /// Acts on what the slot gives an idle child.
    fileprivate func take(_ assignment: ChildAssignment) {
        guard case .idle = self.state, let context = self.context else {
            // The child died between becoming idle and this.
            if case .run(let request) = assignment { self.slot.returned(request) }
            return
        }
        switch assignment {
        case .run(let request):
            guard self.slot.claim(request.submit.jobID, self.pid) else {
                request.done(.failed(JobFailure(code: .jobTimedOut, message: "answered early, before it started")))
                self.becomeIdle(context: context)
                return
            }
            self.state = .running(request, reached: false)
            context.writeAndFlush(self.wrapOutboundOut(.submit(request.submit)), promise: nil)
        case .drain:
            self.state = .draining(saidGoodbye: false)
            context.writeAndFlush(self.wrapOutboundOut(.drain), promise: nil)
        case .wait:
            break
        }
    }

    private func becomeIdle(context: ChannelHandlerContext) {
        let link = ChildLink(pid: self.pid, handler: NIOLoopBound(self, eventLoop: context.eventLoop))
        self.take(self.slot.assign(link))
    }

    private func end(_ ending: ChildEnding) {
        if case .ended = self.state { return }
        self.state = .ended
        self.ended.succeed(ending)
    }
}
