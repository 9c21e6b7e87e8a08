import NIOCore

/// A message payload with a fixed binary layout, documented byte by byte in docs/PROTOCOL.md.
protocol WirePayload {
    /// Reads the payload's fields; the caller checks that nothing is left over.
    init(wire buffer: inout ByteBuffer) throws

    /// Appends the payload's fields.
    func write(wire buffer: inout ByteBuffer) throws
}
