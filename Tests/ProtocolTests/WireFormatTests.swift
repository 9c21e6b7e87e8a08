import FanoutProtocol
import NIOCore
import Testing

@Suite("Wire format")
struct WireFormatTests {
    @Test("encodes to the documented bytes", arguments: GoldenFrame.all)
    func encodesGoldenBytes(golden: GoldenFrame) throws {
        let encoded = try frame(golden.message)
        #expect(encoded.hexDump == ByteBuffer(hex: golden.hex).hexDump)
    }

    @Test("decodes the documented bytes", arguments: GoldenFrame.all)
    func decodesGoldenBytes(golden: GoldenFrame) throws {
        var decoder = MessageDecoder()
        var buffer = ByteBuffer(hex: golden.hex)
        let decoded = try decoder.decode(buffer: &buffer)
        #expect(decoded == golden.message)
        #expect(buffer.readableBytes == 0)
    }

    @Test("every message type, hello role and result status has a golden frame")
    func goldenFramesCoverTheWire() {
        let types = Set(GoldenFrame.all.map(\.message.type))
        #expect(types == Set(MessageType.allCases))
        let roles: Set<PeerRole> = Set(
            GoldenFrame.all.compactMap {
                if case .hello(let hello) = $0.message { return hello.role }
                return nil
            }
        )
        #expect(roles == Set(PeerRole.allCases))
        let statuses: Set<JobOutcome.Status> = Set(
            GoldenFrame.all.compactMap {
                if case .result(let result) = $0.message { return result.outcome.status }
                return nil
            }
        )
        #expect(statuses == [.ok, .failed, .cancelled])
        let workerKinds = GoldenFrame.all.compactMap {
            if case .hello(let hello) = $0.message { return hello.capabilities?.kinds.count }
            return nil
        }
        #expect(workerKinds.contains { $0 >= 2 }, "a worker's hello lists more than one kind")
        let payloadSizes = GoldenFrame.all.compactMap {
            if case .submit(let submit) = $0.message { return submit.payload.readableBytes }
            return nil
        }
        #expect(payloadSizes.contains(0) && payloadSizes.contains { $0 > 0 })
    }

    @Test("the protocol version is the one the golden frames pin")
    func versionIsPinned() {
        // Changing the wire means changing docs/PROTOCOL.md, the golden frames and this version together.
        #expect(ProtocolVersion.current.rawValue == 5)
    }
}
