import FanoutProtocol
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

@Suite("Malformed input")
struct MalformedInputTests {
    @Test("each malformed input gives its error", arguments: MalformedInput.all)
    func refusesMalformedInput(input: MalformedInput) throws {
        var decoder = MessageDecoder(limits: input.limits)
        var buffer = ByteBuffer(hex: input.hex)
        let error = try #require(throws: ProtocolError.self) {
            _ = try decoder.decodeLast(buffer: &buffer, seenEOF: true)
        }
        #expect(error.code == input.code, "\(error)")
        for word in input.mentions {
            #expect(error.message.contains(word), "\"\(error.message)\" should mention \(word)")
        }
    }

    @Test("an oversize frame is refused from its four length bytes, before any body arrives")
    func oversizeRefusedFromHeader() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(MessageDecoder(limits: FrameLimits(maximumFrameLength: 1024))))
        let error = try #require(throws: ProtocolError.self) {
            try channel.writeInbound(ByteBuffer(hex: "00000401"))
        }
        #expect(error.code == .frameTooLarge)
        _ = try? channel.finish()
    }

    @Test("a frame exactly at the limit is accepted")
    func frameAtLimit() throws {
        let limits = FrameLimits(maximumFrameLength: 64)
        // error frame: 2 (type, flags) + 2 (code) + 2 (length) + 58 bytes of message = 64
        let message = Message.error(ErrorReport(code: .jobFailed, message: String(repeating: "m", count: 58)))
        var buffer = try frame(message, limits: limits)
        #expect(buffer.readableBytes == 68)
        var decoder = MessageDecoder(limits: limits)
        #expect(try decoder.decode(buffer: &buffer) == message)
    }

    @Test("a connection that ends inside a frame is a truncated frame")
    func truncatedAtEOF() throws {
        let whole = try frame(.ping(Ping(sentAt: 42)))
        for cut in 1..<whole.readableBytes {
            var partial = whole.getSlice(at: 0, length: cut)!
            var decoder = MessageDecoder()
            #expect(try decoder.decode(buffer: &partial) == nil)
            let error = try #require(throws: ProtocolError.self) {
                _ = try decoder.decodeLast(buffer: &partial, seenEOF: true)
            }
            #expect(error.code == .truncatedFrame)
        }
    }

    @Test("truncated input in a channel fails when the channel closes")
    func truncatedInChannel() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(MessageDecoder()))
        try channel.writeInbound(ByteBuffer(hex: "0000000A 08 00 0102"))
        #expect(try channel.readInbound(as: Message.self) == nil)
        let error = try #require(throws: ProtocolError.self) {
            _ = try channel.finish()
        }
        #expect(error.code == .truncatedFrame)
    }

    @Test("random bytes never trap the decoder; every failure is a ProtocolError")
    func randomBytes() throws {
        var generator = SplitMix64(seed: 0xFA_4007)
        for _ in 0..<20_000 {
            let count = Int(generator.next() % 64)
            var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            // Keep most lengths small and the type plausible so the fields get exercised, not just the header.
            if bytes.count >= 6, generator.next() % 4 != 0 {
                let length = UInt32(bytes.count - 4)
                bytes[0] = 0
                bytes[1] = 0
                bytes[2] = UInt8(length >> 8)
                bytes[3] = UInt8(length & 0xFF)
                bytes[4] = UInt8(1 + generator.next() % 10)
                bytes[5] = 0
            }
            try Self.decodeAll(ByteBuffer(bytes: bytes))
        }
    }

    @Test("flipped bytes in valid frames never trap the decoder")
    func mutatedFrames() throws {
        var generator = SplitMix64(seed: 7)
        let frames = try RoundTripTests.messages.map { try frame($0) }.filter { $0.readableBytes < 1024 }
        for original in frames {
            for _ in 0..<300 {
                var bytes = Array(original.readableBytesView)
                let flips = 1 + Int(generator.next() % 3)
                for _ in 0..<flips {
                    // Leave the length alone in most runs so the payload, not the header, is mutated.
                    let low = generator.next() % 5 == 0 ? 0 : 4
                    let index = low + Int(generator.next() % UInt64(bytes.count - low))
                    bytes[index] = UInt8(truncatingIfNeeded: generator.next())
                }
                try Self.decodeAll(ByteBuffer(bytes: bytes))
            }
        }
    }

    private static func decodeAll(_ input: ByteBuffer) throws {
        var buffer = input
        var decoder = MessageDecoder()
        do {
            while try decoder.decode(buffer: &buffer) != nil {}
            _ = try decoder.decodeLast(buffer: &buffer, seenEOF: true)
        } catch is ProtocolError {
            // Refused with a typed error, as it should be.
        }
    }
}
