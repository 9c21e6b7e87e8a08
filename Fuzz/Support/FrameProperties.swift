import FanoutProtocol
import NIOCore

/// What must hold for any bytes a peer may send: checked by the fuzzer on every input it makes, and by the
/// tests on every input in the corpus and every crash the fuzzer has found.
public enum FrameProperties {
    /// Small enough that the fuzzer's inputs reach the limit checks.
    static let limits = FrameLimits(maximumFrameLength: 4096)

    /// Decodes `bytes` as a stream of frames and checks that:
    /// - decoding never traps, and fails only with a ``ProtocolError``;
    /// - the stream decodes to the same messages and the same error whether it arrives at once or in pieces
    ///   (the piece size is taken from the first byte);
    /// - every message decoded encodes again, within the same limits, and decodes back to itself.
    ///
    /// Returns what did not hold, or nil.
    public static func violation(in bytes: UnsafeRawBufferPointer) -> String? {
        let whole = self.decode(ByteBuffer(bytes: bytes), pieceSize: nil)
        let pieceSize = Int(bytes.first ?? 0) % 17 + 1
        let pieces = self.decode(ByteBuffer(bytes: bytes), pieceSize: pieceSize)
        if let problem = whole.problem ?? pieces.problem { return problem }
        guard whole.messages == pieces.messages, whole.error == pieces.error else {
            return "decoding at once gave \(whole.messages.count) messages and \(String(describing: whole.error)); "
                + "in pieces of \(pieceSize) bytes, \(pieces.messages.count) and \(String(describing: pieces.error))"
        }
        for message in whole.messages {
            var encoded = ByteBuffer()
            do {
                try encoded.writeFrame(message, limits: self.limits)
            } catch {
                return "\(message.type) decoded but does not encode again: \(error)"
            }
            let again = self.decode(encoded, pieceSize: nil)
            guard again.messages == [message], again.error == nil else {
                return "\(message.type) encoded again decodes to \(again.messages) and \(String(describing: again.error))"
            }
        }
        return nil
    }

    private struct Decoded {
        var messages: [Message] = []
        var error: ProtocolError?
        var problem: String?
    }

    private static func decode(_ input: ByteBuffer, pieceSize: Int?) -> Decoded {
        var decoder = MessageDecoder(limits: self.limits)
        var result = Decoded()
        var remaining = input
        var buffer = ByteBuffer()
        while remaining.readableBytes > 0 {
            let take = min(pieceSize ?? remaining.readableBytes, remaining.readableBytes)
            var piece = remaining.readSlice(length: take)!
            buffer.writeBuffer(&piece)
            do {
                while let message = try decoder.decode(buffer: &buffer) {
                    result.messages.append(message)
                }
            } catch let error as ProtocolError {
                result.error = error
                return result
            } catch {
                result.problem = "decoding threw \(type(of: error)), not a ProtocolError: \(error)"
                return result
            }
        }
        do {
            if let message = try decoder.decodeLast(buffer: &buffer, seenEOF: true) {
                result.messages.append(message)
            }
        } catch let error as ProtocolError {
            result.error = error
        } catch {
            result.problem = "decoding the end threw \(type(of: error)), not a ProtocolError: \(error)"
        }
        return result
    }
}
