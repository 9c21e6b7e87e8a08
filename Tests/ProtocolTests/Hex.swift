import FanoutProtocol
import NIOCore

extension ByteBuffer {
    /// A buffer from hex digits; spaces and line breaks are ignored.
    init(hex: String) {
        let digits = hex.filter { !$0.isWhitespace }
        precondition(digits.count % 2 == 0, "odd number of hex digits")
        var bytes: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            bytes.append(UInt8(digits[index..<next], radix: 16)!)
            index = next
        }
        self.init(bytes: bytes)
    }

    var hexDump: String {
        self.readableBytesView.map { byte in
            let digits = String(byte, radix: 16, uppercase: true)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }
}

func frame(_ message: Message, limits: FrameLimits = .default) throws -> ByteBuffer {
    var buffer = ByteBuffer()
    try buffer.writeFrame(message, limits: limits)
    return buffer
}

