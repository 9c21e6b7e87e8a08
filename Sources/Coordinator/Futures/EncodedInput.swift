import NIOCore

/// A job's input as its kind encoded it, kept until the job is done, since a retry sends it again.
///
/// An input of up to 15 bytes, as most are, is kept in the value itself, without an allocation: a million
/// pending jobs then cost no more for their inputs than their futures hold. A larger one keeps its buffer.
struct EncodedInput: Sendable {
    /// The most bytes kept inline.
    static let inlineCapacity = 15

    /// Inline bytes, the last of the sixteen holding their count; unused when `large` is set.
    private var inline: (UInt64, UInt64) = (0, 0)
    private let large: Large?

    private final class Large: Sendable {
        let buffer: ByteBuffer
        init(_ buffer: ByteBuffer) { self.buffer = buffer }
    }

    init(_ buffer: ByteBuffer) {
        let count = buffer.readableBytes
        guard count <= Self.inlineCapacity else {
            self.large = Large(buffer)
            return
        }
        self.large = nil
        withUnsafeMutableBytes(of: &self.inline) { inline in
            buffer.withUnsafeReadableBytes { inline.copyMemory(from: $0) }
            inline[Self.inlineCapacity] = UInt8(count)
        }
    }

    /// The bytes, as a buffer to send.
    var buffer: ByteBuffer {
        if let large { return large.buffer }
        return withUnsafeBytes(of: self.inline) { ByteBuffer(bytes: $0.prefix(Int($0[Self.inlineCapacity]))) }
    }
}
