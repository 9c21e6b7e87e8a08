import NIOEmbedded
@testable import FanoutWorker
import FanoutBuiltinJobs
import FanoutProtocol
import Testing

@Suite("Slot scheduler")
struct SlotSchedulerTests {
    static func job(_ id: UInt64, session: UInt64 = 1) -> QueuedJob {
        QueuedJob(submit: Submit.job(NoOp(), id: id), session: SessionID(session), origin: .unknown, outbox: SessionOutbox(), eventLoop: EmbeddedEventLoop(), enqueuedAt: .now)
    }

    @Test("jobs fill free slots, lowest first, then wait in order, then are refused")
    func fillsThenQueuesThenRefuses() {
        var scheduler = SlotScheduler(slotCount: 2, queueCapacity: 2)
        guard case .start(let first, slot: 0) = scheduler.submit(Self.job(1)),
            case .start(let second, slot: 1) = scheduler.submit(Self.job(2))
        else {
            Issue.record("the first two jobs should start in slots 0 and 1")
            return
        }
        #expect(first.jobID == JobID(1))
        #expect(second.jobID == JobID(2))
        guard case .queued = scheduler.submit(Self.job(3)), case .queued = scheduler.submit(Self.job(4)) else {
            Issue.record("the next two should queue")
            return
        }
        guard case .queueFull(capacity: 2) = scheduler.submit(Self.job(5)) else {
            Issue.record("the fifth should be refused")
            return
        }
        #expect(scheduler.finish(slot: 1)?.jobID == JobID(3))
        #expect(scheduler.finish(slot: 0)?.jobID == JobID(4))
        #expect(scheduler.finish(slot: 1)?.jobID == nil)
        #expect(scheduler.finish(slot: 0)?.jobID == nil)
        #expect(scheduler.runningCount == 0)
        guard case .start(_, slot: 0) = scheduler.submit(Self.job(6)) else {
            Issue.record("an idle scheduler should reuse slot 0")
            return
        }
    }

    @Test("cancel takes only a queued job of the same session")
    func cancel() {
        var scheduler = SlotScheduler(slotCount: 1, queueCapacity: 4)
        _ = scheduler.submit(Self.job(1))
        _ = scheduler.submit(Self.job(2))
        _ = scheduler.submit(Self.job(2, session: 2))
        #expect(scheduler.cancel(JobID(1), of: SessionID(1))?.jobID == nil, "a running job is not cancelled")
        #expect(scheduler.cancel(JobID(2), of: SessionID(3))?.jobID == nil, "another session's job is not cancelled")
        #expect(scheduler.cancel(JobID(2), of: SessionID(2))?.session == SessionID(2))
        #expect(scheduler.queuedCount == 1)
        #expect(scheduler.finish(slot: 0)?.session == SessionID(1))
    }

    @Test("a closed session's queued jobs are removed, others keep their order")
    func removeSession() {
        var scheduler = SlotScheduler(slotCount: 1, queueCapacity: 8)
        _ = scheduler.submit(Self.job(0))
        for id in 1...6 {
            _ = scheduler.submit(Self.job(UInt64(id), session: UInt64(id % 2)))
        }
        #expect(scheduler.removeQueued(of: SessionID(1)).map(\.jobID) == [JobID(1), JobID(3), JobID(5)])
        #expect(scheduler.finish(slot: 0)?.jobID == JobID(2))
        #expect(scheduler.finish(slot: 0)?.jobID == JobID(4))
        #expect(scheduler.finish(slot: 0)?.jobID == JobID(6))
    }
}
