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

    @Test("every message type and job kind has a golden frame")
    func goldenFramesCoverTheWire() {
        let types = Set(GoldenFrame.all.map(\.message.type))
        #expect(types == Set(MessageType.allCases))
        let submitted: Set<JobKind> = Set(
            GoldenFrame.all.compactMap {
                if case .submit(let submit) = $0.message { return submit.spec.kind }
                return nil
            }
        )
        #expect(submitted == Set(JobKind.allCases))
        let produced: Set<JobKind> = Set(
            GoldenFrame.all.compactMap {
                if case .result(let result) = $0.message, case .ok(let output) = result.outcome { return output.kind }
                return nil
            }
        )
        #expect(produced == Set(JobKind.allCases))
    }

    @Test("the protocol version is the one the golden frames pin")
    func versionIsPinned() {
        // Changing the wire means changing docs/PROTOCOL.md, the golden frames and this version together.
        #expect(ProtocolVersion.current.rawValue == 3)
    }
}
