@testable import FanoutCoordinator
import FanoutBuiltinJobs
import FanoutProtocol
import Testing

@Suite("Outbound mailbox")
struct OutboundMailboxTests {
    @Test("replies past the limit of unwritten messages are dropped; jobs never are")
    func boundedReplies() async {
        let mailbox = OutboundMailbox()
        let pong = Message.pong(Pong(pingSentAt: 1, receivedAt: 2, sentAt: 3))
        for _ in 0..<OutboundMailbox.replyLimit {
            #expect(mailbox.postReply(pong))
        }
        #expect(!mailbox.postReply(pong))
        mailbox.post(.submit(Submit.job(NoOp(), id: 1)))
        let batch = await mailbox.nextBatch()
        #expect(batch?.count == OutboundMailbox.replyLimit + 1)
        #expect(batch?.last == .submit(Submit.job(NoOp(), id: 1)))
        #expect(mailbox.postReply(pong), "once written, there is room again")
    }
}
