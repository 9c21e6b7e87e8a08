import NIOCore

extension String {
    /// The longest prefix of `self`, cut between Unicode scalars, whose UTF-8 fits a wire string.
    func truncatedToWireLimit() -> String {
        let utf8 = Array(self.utf8)
        var end = ByteBuffer.maximumWireStringLength
        guard utf8.count > end else { return self }
        // Back off continuation bytes (0b10xxxxxx) so the cut falls on a scalar's first byte.
        while end > 0, utf8[end] & 0xC0 == 0x80 {
            end -= 1
        }
        return String(decoding: utf8[..<end], as: UTF8.self)
    }
}
