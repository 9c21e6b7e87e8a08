@testable import FanoutWorker
import FanoutBuiltinJobs
import FanoutJobs
import FanoutLocking
import FanoutProtocol
import FanoutTestSupport
import NIOCore
import NIOEmbedded
import Testing

@Suite("A process-pool child's pipes, on the parent's side")
struct ChildConnectionHandlerTests {
    static let kinds = BuiltinJobs.registered.names

    @Test("a job goes out once the child says hello; started and result reach it once; the idle child asks for the next")
    func roundTrip() throws {
        let slot = FakeSlot()
        defer { slot.forget() }
        let first = Probe(1)
        slot.assignments = [.run(first.request)]
        let (channel, ended) = try Self.channel(slot: slot)
        #expect(try channel.readOutbound(as: Message.self) == nil, "nothing goes before the hello")

        try channel.writeInbound(Message.hello(Self.hello(kinds: Self.kinds)))
        #expect(try channel.readOutbound(as: Message.self) == .submit(first.request.submit))
        #expect(slot.claimed == [JobID(1)])
        try channel.writeInbound(Message.started(Started(jobID: JobID(1), attempt: 1, slot: 0)))
        #expect(first.startedCount == 1)
        try channel.writeInbound(Message.result(JobResult(jobID: JobID(1), attempt: 1, outcome: .empty, slot: 0)))
        #expect(first.outcomes == [.empty])
        #expect(slot.answeredCount == 1)

        // Idle again: the slot kept its link, and gives it the next job through the loop.
        let link = try #require(slot.links.last)
        #expect(slot.links.count == 2, "asked once after the hello and once after the result")
        let second = Probe(2)
        link.give(.run(second.request))
        channel.embeddedEventLoop.run()
        #expect(try channel.readOutbound(as: Message.self) == .submit(second.request.submit))

        // It dies before saying the job reached it: the job never ran, and goes to the next child.
        try Self.close(channel)
        guard case .diedIdle(let next) = try ended.wait() else {
            Issue.record("a child dead before its started did not hand the job on")
            return
        }
        #expect(next.submit == second.request.submit)
        #expect(second.outcomes.isEmpty)
    }

    @Test("a child that dies after saying started ends with the job it was running; one drained ends drained")
    func endings() throws {
        let slot = FakeSlot()
        defer { slot.forget() }
        let job = Probe(1)
        slot.assignments = [.run(job.request)]
        let (running, runningEnded) = try Self.channel(slot: slot)
        try running.writeInbound(Message.hello(Self.hello(kinds: Self.kinds)))
        try running.writeInbound(Message.started(Started(jobID: JobID(1), attempt: 1, slot: 0)))
        try Self.close(running)
        guard case .died(let request?) = try runningEnded.wait() else {
            Issue.record("a child dead while running did not end with its job")
            return
        }
        #expect(request.submit == job.request.submit)
        #expect(job.outcomes.isEmpty, "the supervisor answers it, with the child's exit")

        slot.assignments = [.drain]
        let (draining, drainingEnded) = try Self.channel(slot: slot)
        try draining.writeInbound(Message.hello(Self.hello(kinds: Self.kinds)))
        #expect(try draining.readOutbound(as: Message.self) == .drain)
        try draining.writeInbound(Message.goodbye)
        try Self.close(draining)
        guard case .drained = try drainingEnded.wait() else {
            Issue.record("a child that said goodbye did not end drained")
            return
        }
    }

    @Test("a child that speaks before its hello failed to start; one that dies while draining without goodbye died")
    func noHello() throws {
        let slot = FakeSlot()
        defer { slot.forget() }
        let (channel, ended) = try Self.channel(slot: slot)
        try channel.writeInbound(Message.pong(Pong(pingSentAt: 1, receivedAt: 2, sentAt: 3)))
        guard case .failedToStart(let reason) = try ended.wait() else {
            Issue.record("a child with no hello was not refused")
            return
        }
        #expect(reason.contains("before it said hello"))
        #expect(!channel.isActive)
        channel.embeddedEventLoop.run()

        slot.assignments = [.drain]
        let (draining, drainingEnded) = try Self.channel(slot: slot)
        try draining.writeInbound(Message.hello(Self.hello(kinds: Self.kinds)))
        try Self.close(draining)
        guard case .died(nil) = try drainingEnded.wait() else {
            Issue.record("a child dead without its goodbye did not end died")
            return
        }
    }

    @Test("a job answered early is not sent; one given to a child that has died goes back to the slot")
    func abandonedAndReturned() throws {
        let slot = FakeSlot()
        defer { slot.forget() }
        let abandoned = Probe(1)
        slot.assignments = [.run(abandoned.request)]
        slot.refuse = JobID(1)
        let (channel, ended) = try Self.channel(slot: slot)
        try channel.writeInbound(Message.hello(Self.hello(kinds: Self.kinds)))
        #expect(try channel.readOutbound(as: Message.self) == nil, "the abandoned job was not sent")
        guard case .failed(let failure)? = abandoned.outcomes.first, abandoned.outcomes.count == 1 else {
            Issue.record("the abandoned job was not answered once: \(abandoned.outcomes)")
            return
        }
        #expect(failure.code == .jobTimedOut)
        let link = try #require(slot.links.last)

        try Self.close(channel)
        guard case .died(nil) = try ended.wait() else {
            Issue.record("an idle child's death carried a job")
            return
        }
        let late = Probe(2)
        link.give(.run(late.request))
        channel.embeddedEventLoop.run()
        #expect(slot.returned.map(\.submit) == [late.request.submit])
        #expect(late.outcomes.isEmpty)
    }

    static func channel(slot: FakeSlot) throws -> (EmbeddedChannel, EventLoopFuture<ChildEnding>) {
        let channel = EmbeddedChannel()
        let ended = channel.eventLoop.makePromise(of: ChildEnding.self)
        // A pid no process has (pid_max is at most 2²²): the handler kills its child when the child misbehaves.
        let handler = ChildConnectionHandler(pid: Int32.max, kinds: Self.kinds, slot: slot.calls, ended: ended)
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, ended.futureResult)
    }

    /// Closes `channel` as a child's death would, and lets its loop remove the handlers, which a closed
    /// embedded channel otherwise keeps, in a cycle, for good.
    static func close(_ channel: EmbeddedChannel) throws {
        try channel.close().wait()
        channel.embeddedEventLoop.run()
    }

    static func hello(kinds: [JobKindName]) -> Hello {
        .worker(
            softwareVersion: "t",
            hostName: "child",
            capabilities: WorkerCapabilities(poolKind: .processes, slots: 1, cores: 1, kinds: kinds)
        )
    }
}

/// A slot that hands out the assignments it is given, in order, then `.wait`, and records what it is told.
final class FakeSlot: Sendable {
    private struct State {
        var assignments: [ChildAssignment] = []
        var links: [ChildLink] = []
        var claimed: [JobID] = []
        var refuse: JobID?
        var answeredCount = 0
        var returned: [ChildRequest] = []
    }

    private let state = Locked(State())

    var assignments: [ChildAssignment] {
        get { self.state.withLock { $0.assignments } }
        set { self.state.withLock { $0.assignments = newValue } }
    }
    var refuse: JobID? {
        get { self.state.withLock { $0.refuse } }
        set { self.state.withLock { $0.refuse = newValue } }
    }
    var links: [ChildLink] { self.state.withLock { $0.links } }
    var claimed: [JobID] { self.state.withLock { $0.claimed } }
    var answeredCount: Int { self.state.withLock { $0.answeredCount } }
    var returned: [ChildRequest] { self.state.withLock { $0.returned } }

    /// Lets go of the children's links, each of which holds its handler, whose calls hold this slot.
    func forget() {
        self.state.withLock { $0.links = [] }
    }

    var calls: ChildSlotCalls {
        ChildSlotCalls(
            assign: { link in
                self.state.withLock { state in
                    state.links.append(link)
                    return state.assignments.isEmpty ? .wait : state.assignments.removeFirst()
                }
            },
            claim: { job, _ in
                self.state.withLock { state in
                    guard state.refuse != job else { return false }
                    state.claimed.append(job)
                    return true
                }
            },
            answered: { self.state.withLock { $0.answeredCount += 1 } },
            returned: { request in self.state.withLock { $0.returned.append(request) } }
        )
    }
}

/// A request that records how often it was started and how it ended.
final class Probe: Sendable {
    private let state = Locked((started: 0, outcomes: [JobOutcome]()))
    let id: UInt64

    init(_ id: UInt64) {
        self.id = id
    }

    var startedCount: Int { self.state.withLock { $0.started } }
    var outcomes: [JobOutcome] { self.state.withLock { $0.outcomes } }

    var request: ChildRequest {
        ChildRequest(
            submit: Submit.job(NoOp(), id: self.id),
            started: { self.state.withLock { $0.started += 1 } },
            done: { outcome in self.state.withLock { $0.outcomes.append(outcome) } }
        )
    }
}
