@testable import FanoutWorker
import FanoutProtocol
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
    func batches() async {
        let outbox = SessionOutbox()
        outbox.greet(with: Self.hello)
        for id in 0..<5 {
            #expect(outbox.admit(JobID(UInt64(id))) == .accepted)
        }
        for id in 0..<5 {
            outbox.complete(Self.result(UInt64(id)))
        }
        let batch = await outbox.nextBatch()
        #expect(batch?.messages.count == 6)
        #expect(batch?.isLast == false)
    }

    @Test("a started still waiting when its result is posted is left out; one already written is not taken back")
    func startedSuperseded() async {
        let outbox = SessionOutbox()
        outbox.greet(with: Self.hello)
        for id in 1...3 { #expect(outbox.admit(JobID(UInt64(id))) == .accepted) }
        let started = { (id: UInt64) in Message.started(Started(jobID: JobID(id), attempt: 1, slot: 0)) }
        outbox.post(started(1))
        outbox.post(started(2))
        outbox.complete(Self.result(1))
        let first = await outbox.nextBatch()
        #expect(first?.messages == [.hello(Self.hello), started(2), .result(Self.result(1))])
        outbox.post(started(3))
        let second = await outbox.nextBatch()
        #expect(second?.messages == [started(3)])
        outbox.complete(Self.result(2))
        outbox.complete(Self.result(3))
        let third = await outbox.nextBatch()
        #expect(third?.messages == [.result(Self.result(2)), .result(Self.result(3))])
    }

    @Test("drain holds goodbye until the last job in flight has its result")
    func drainWaitsForJobs() async {
        let outbox = SessionOutbox()
        outbox.greet(with: Self.hello)
        #expect(outbox.admit(JobID(1)) == .accepted)
        outbox.beginDrain()
        #expect(outbox.admit(JobID(2)) == .draining)
        let first = await outbox.nextBatch()
        #expect(first?.messages == [.hello(Self.hello)])
        #expect(first?.isLast == false)
        outbox.complete(Self.result(1))
        let last = await outbox.nextBatch()
        #expect(last?.messages == [.result(Self.result(1)), .goodbye])
        #expect(last?.isLast == true)
        #expect(await outbox.nextBatch() == nil)
    }

    @Test("no goodbye before hello, and no jobs before hello")
    func goodbyeAfterHello() async {
        let outbox = SessionOutbox()
        outbox.beginDrain()
        #expect(outbox.admit(JobID(1)) == .draining)
        outbox.greet(with: Self.hello)
        let batch = await outbox.nextBatch()
        #expect(batch?.messages == [.hello(Self.hello), .goodbye])
    }

    @Test("a duplicate job id is reported; a result for an unknown job is dropped")
    func duplicates() async {
        let outbox = SessionOutbox()
        outbox.greet(with: Self.hello)
        #expect(outbox.admit(JobID(7)) == .accepted)
        #expect(outbox.admit(JobID(7)) == .duplicate)
        outbox.complete(Self.result(8))
        outbox.complete(Self.result(7))
        outbox.complete(Self.result(7))
        let batch = await outbox.nextBatch()
        #expect(batch?.messages == [.hello(Self.hello), .result(Self.result(7))])
    }

    @Test("a writer waiting for work wakes when a result arrives")
    func wakesWaitingWriter() async {
        let outbox = SessionOutbox()
        outbox.greet(with: Self.hello)
        _ = await outbox.nextBatch()
        #expect(outbox.admit(JobID(1)) == .accepted)
        async let next = outbox.nextBatch()
        outbox.complete(Self.result(1))
        #expect(await next?.messages == [.result(Self.result(1))])
    }

    @Test("an error goes after what is pending and ends the session")
    func failure() async {
        let outbox = SessionOutbox()
        outbox.greet(with: Self.hello)
        outbox.fail(with: ErrorReport(code: .unexpectedMessage, message: "no"))
        let batch = await outbox.nextBatch()
        #expect(batch?.messages == [.hello(Self.hello), .error(ErrorReport(code: .unexpectedMessage, message: "no"))])
        #expect(batch?.isLast == true)
        #expect(outbox.isClosed)
    }

    @Test("past its limit of unwritten replies the outbox has no room, until the writer takes them or it closes")
    func boundedReplies() async {
        let outbox = SessionOutbox()
        outbox.greet(with: Self.hello)
        let pong = Message.pong(Pong(pingSentAt: 1, receivedAt: 2, sentAt: 3))
        for _ in 2..<SessionOutbox.pendingLimit { outbox.post(pong) }
        #expect(outbox.hasRoom, "the hello and replies, one short of the limit")
        outbox.post(pong)
        #expect(!outbox.hasRoom)

        let (resumed, reader) = AsyncStream.makeStream(of: Void.self)
        let waiting = Task {
            await outbox.waitForRoom()
            reader.yield()
        }
        let batch = await outbox.nextBatch()
        #expect(batch?.messages.count == SessionOutbox.pendingLimit)
        #expect(outbox.hasRoom)
        var iterator = resumed.makeAsyncIterator()
        #expect(await iterator.next() != nil, "the waiting reader goes on once the writer took the replies")
        await waiting.value

        for _ in 0...SessionOutbox.pendingLimit { outbox.post(pong) }
        #expect(!outbox.hasRoom)
        outbox.close()
        #expect(outbox.hasRoom, "a closed session never holds its reader back")
        await outbox.waitForRoom()
    }
}

extension SessionOutbox.Batch: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.messages == rhs.messages && lhs.isLast == rhs.isLast
    }
}
