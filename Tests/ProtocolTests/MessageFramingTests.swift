import FanoutProtocol
import NIOCore
import NIOEmbedded
import Testing

@Suite("Message framing")
struct MessageFramingTests {
    @Test("a pipeline with Fanout's framing writes messages as frames and reads frames back as messages, within its limits")
    func roundTrip() throws {
        let limits = FrameLimits(maximumFrameLength: 1024)
        let sender = EmbeddedChannel()
        try sender.pipeline.syncOperations.addMessageFraming(limits: limits)
        let receiver = EmbeddedChannel()
        try receiver.pipeline.syncOperations.addMessageFraming(limits: limits)

        let messages: [Message] = [.ping(Ping(sentAt: 7)), .drain, .goodbye]
        for message in messages { try sender.writeOutbound(message) }
        while let bytes = try sender.readOutbound(as: ByteBuffer.self) { try receiver.writeInbound(bytes) }
        var read: [Message] = []
        while let message = try receiver.readInbound(as: Message.self) { read.append(message) }
        #expect(read == messages)

        var oversized = ByteBuffer()
        oversized.writeInteger(UInt32(4096))
        let error = #expect(throws: ProtocolError.self) { try receiver.writeInbound(oversized) }
        #expect(error?.code == .frameTooLarge, "refused from its length alone, before the bytes arrive")
        _ = try? sender.finish()
        _ = try? receiver.finish()
    }
}
