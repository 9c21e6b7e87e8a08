@testable import FanoutCoordinator
import FanoutBuiltinJobs
import FanoutLocking
import FanoutProtocol
import Testing

@Suite("Outbound mailbox")
struct OutboundMailboxTests {
    @Test("replies past the limit of unwritten messages are dropped; jobs never are")
    func boundedReplies() {
        let mailbox = OutboundMailbox()
        let pong = Message.pong(Pong(pingSentAt: 1, receivedAt: 2, sentAt: 3))
        for _ in 0..<OutboundMailbox.replyLimit {
            #expect(mailbox.postReply(pong))
        }
        #expect(!mailbox.postReply(pong))
        mailbox.post(.submit(Submit.job(NoOp(), id: 1)))
        let batch = mailbox.take()
        #expect(batch.count == OutboundMailbox.replyLimit + 1)
        #expect(batch.last == .submit(Submit.job(NoOp(), id: 1)))
        #expect(mailbox.postReply(pong), "once written, there is room again")
    }

    @Test("the first post after a write asks for one; posts while the loop reads ask for none")
    func writesAsked() {
        let mailbox = OutboundMailbox()
        let asked = Locked(0)
        mailbox.post(.drain)
        mailbox.attach { asked.withLock { $0 += 1 } }
        #expect(asked.withLock { $0 } == 1, "what was posted before the connection was attached is written then")
        mailbox.post(.drain)
        #expect(asked.withLock { $0 } == 1, "a write is already due")
        #expect(mailbox.take() == [.drain, .drain])
        mailbox.post(.drain)
        #expect(asked.withLock { $0 } == 2)
        #expect(mailbox.take() == [.drain])
        mailbox.hold()
        mailbox.post(.drain)
        #expect(asked.withLock { $0 } == 2, "the loop writes once it has read")
        #expect(mailbox.take() == [.drain])
        mailbox.close()
        mailbox.post(.drain)
        #expect(asked.withLock { $0 } == 2)
        #expect(mailbox.take().isEmpty, "nothing is posted once closed")
    }
}
