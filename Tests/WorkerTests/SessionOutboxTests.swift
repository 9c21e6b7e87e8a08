@testable import FanoutWorker
import FanoutProtocol
import FanoutLocking
import Testing

@Suite("Session outbox")
struct SessionOutboxTests {
    static let hello = Hello.worker(
        softwareVersion: "t",
        hostName: "w",
        capabilities: WorkerCapabilities(poolKind: .threads, slots: 1, cores: 1, kinds: [])
    )

    static func result(_ id: UInt64) -> JobResult {
        JobResult(jobID: JobID(id), attempt: 1, outcome: JobOutcome.empty, slot: 0)
    }

    @Test("everything posted between two takes leaves as one batch")
    func batches() {
        let outbox = SessionOutbox()
        outbox.greet(with: Self.hello)
        for id in 0..<5 {
            #expect(outbox.admit(JobID(UInt64(id))) == .accepted)
        }
        for id in 0..<5 {
            outbox.complete(Self.result(UInt64(id)))
        }
        let batch = outbox.take().batch
        #expect(batch?.messages.count == 6)
        #expect(batch?.isLast == false)
    }

    @Test("a started still waiting when its result is posted is left out; one already written is not taken back")
    func startedSuperseded() {
        let outbox = SessionOutbox()
        outbox.greet(with: Self.hello)
        for id in 1...3 { #expect(outbox.admit(JobID(UInt64(id))) == .accepted) }
        let started = { (id: UInt64) in Message.started(Started(jobID: JobID(id), attempt: 1, slot: 0)) }
        outbox.post(started(1))
        outbox.post(started(2))
        outbox.complete(Self.result(1))
        let first = outbox.take().batch
        #expect(first?.messages == [.hello(Self.hello), started(2), .result(Self.result(1))])
        outbox.post(started(3))
        let second = outbox.take().batch
        #expect(second?.messages == [started(3)])
        outbox.complete(Self.result(2))
        outbox.complete(Self.result(3))
        let third = outbox.take().batch
        #expect(third?.messages == [.result(Self.result(2)), .result(Self.result(3))])
    }

    @Test("drain holds goodbye until the last job in flight has its result")
    func drainWaitsForJobs() {
        let outbox = SessionOutbox()
        outbox.greet(with: Self.hello)
        #expect(outbox.admit(JobID(1)) == .accepted)
        outbox.beginDrain()
        #expect(outbox.admit(JobID(2)) == .draining)
        let first = outbox.take().batch
        #expect(first?.messages == [.hello(Self.hello)])
        #expect(first?.isLast == false)
        outbox.complete(Self.result(1))
        let last = outbox.take().batch
        #expect(last?.messages == [.result(Self.result(1)), .goodbye])
        #expect(last?.isLast == true)
        #expect(outbox.take().isNothing)
    }

    @Test("no goodbye before hello, and no jobs before hello")
    func goodbyeAfterHello() {
        let outbox = SessionOutbox()
        outbox.beginDrain()
        #expect(outbox.admit(JobID(1)) == .draining)
        outbox.greet(with: Self.hello)
        let batch = outbox.take().batch
        #expect(batch?.messages == [.hello(Self.hello), .goodbye])
    }

    @Test("a duplicate job id is reported; a result for an unknown job is dropped")
    func duplicates() {
        let outbox = SessionOutbox()
        outbox.greet(with: Self.hello)
        #expect(outbox.admit(JobID(7)) == .accepted)
        #expect(outbox.admit(JobID(7)) == .duplicate)
        outbox.complete(Self.result(8))
        outbox.complete(Self.result(7))
        outbox.complete(Self.result(7))
        let batch = outbox.take().batch
        #expect(batch?.messages == [.hello(Self.hello), .result(Self.result(7))])
    }

    @Test("the first post after a flush asks the event loop for one; posts before it runs ask for none")
    func asksForOneFlush() {
        let outbox = SessionOutbox()
        let asked = Locked(0)
        outbox.greet(with: Self.hello)
        outbox.attach { asked.withLock { $0 += 1 } }
        #expect(asked.withLock { $0 } == 1, "the hello posted before attaching asks at once")
        #expect(outbox.admit(JobID(1)) == .accepted)
        #expect(outbox.admit(JobID(2)) == .accepted)
        outbox.complete(Self.result(1))
        #expect(asked.withLock { $0 } == 1)
        #expect(outbox.take().batch?.messages == [.hello(Self.hello), .result(Self.result(1))])
        #expect(outbox.take().isNothing)
        outbox.complete(Self.result(2))
        #expect(asked.withLock { $0 } == 2)
        #expect(outbox.take().batch?.messages == [.result(Self.result(2))])
    }

    @Test("a close with nothing to say is taken once, and asks for no flush after")
    func closeTakenOnce() {
        let outbox = SessionOutbox()
        let asked = Locked(0)
        outbox.attach { asked.withLock { $0 += 1 } }
        outbox.close()
        #expect(asked.withLock { $0 } == 1)
        guard case .closed = outbox.take() else {
            Issue.record("a closed outbox must say so")
            return
        }
        outbox.post(.drain)
        outbox.close()
        #expect(asked.withLock { $0 } == 1)
        #expect(outbox.take().isNothing)
    }

    @Test("an error goes after what is pending and ends the session")
    func failure() {
        let outbox = SessionOutbox()
        outbox.greet(with: Self.hello)
        outbox.fail(with: ErrorReport(code: .unexpectedMessage, message: "no"))
        let batch = outbox.take().batch
        #expect(batch?.messages == [.hello(Self.hello), .error(ErrorReport(code: .unexpectedMessage, message: "no"))])
        #expect(batch?.isLast == true)
        #expect(outbox.isClosed)
    }

    @Test("past its limit of unwritten replies the outbox has no room, until the writer takes them or it closes")
    func boundedReplies() {
        let outbox = SessionOutbox()
        outbox.greet(with: Self.hello)
        let pong = Message.pong(Pong(pingSentAt: 1, receivedAt: 2, sentAt: 3))
        for _ in 2..<SessionOutbox.pendingLimit { outbox.post(pong) }
        #expect(outbox.hasRoom, "the hello and replies, one short of the limit")
        outbox.post(pong)
        #expect(!outbox.hasRoom)

        let batch = outbox.take().batch
        #expect(batch?.messages.count == SessionOutbox.pendingLimit)
        #expect(outbox.hasRoom, "the flush took the replies")

        for _ in 0...SessionOutbox.pendingLimit { outbox.post(pong) }
        #expect(!outbox.hasRoom)
        outbox.close()
        #expect(outbox.hasRoom, "a closed session never holds its reader back")
    }
}

extension SessionOutbox.Taken {
    var batch: SessionOutbox.Batch? {
        if case .batch(let batch) = self { return batch }
        return nil
    }

    var isNothing: Bool {
        if case .nothing = self { return true }
        return false
    }
}

extension SessionOutbox.Batch: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.messages == rhs.messages && lhs.isLast == rhs.isLast
    }
}
