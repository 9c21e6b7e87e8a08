import NIOCore

/// Coordinator to worker: part of a file for the session's run folder, sent before the session's first job.
///
/// A file goes as one or more puts in order, each `bytes` starting at `offset`, until `size` bytes have come.
/// One file is finished before the next begins.
public struct Put: Hashable, Sendable {
    /// The file's name in the run folder: one path component, not `.` or `..`.
    public var name: String
    /// Whether the file is made executable.
    public var executable: Bool
    /// The whole file's length in bytes.
    public var size: UInt64
    /// Where in the file `bytes` begin.
    public var offset: UInt64
    public var bytes: ByteBuffer

    /// The longest name a file system takes for one component.
    public static let maximumNameLength = 255

    public init(name: String, executable: Bool, size: UInt64, offset: UInt64, bytes: ByteBuffer) {
        self.name = name
        self.executable = executable
        self.size = size
        self.offset = offset
        self.bytes = bytes
    }

    /// Why `name` cannot name a file in a run folder; nil when it can.
    public static func problem(withName name: String) -> String? {
        // Bytes, not characters: a `/` followed by a combining mark is one Character, yet a path separator.
        let bytes = name.utf8
        if bytes.isEmpty { return "is empty" }
        if bytes.elementsEqual(".".utf8) || bytes.elementsEqual("..".utf8) { return "is \(name)" }
        if bytes.contains(UInt8(ascii: "/")) { return "holds a /; it must be a single file name" }
        if bytes.contains(0) { return "holds a NUL byte" }
        if name.utf8.count > Self.maximumNameLength {
            return "is \(name.utf8.count) bytes; at most \(Self.maximumNameLength) fit"
        }
        return nil
    }

    /// The puts that carry a file of `contents`, none with more than `chunkBytes` bytes; one put for an empty file.
    public static func chunks(name: String, executable: Bool, contents: ByteBuffer, chunkBytes: Int) -> [Put] {
        precondition(chunkBytes > 0, "chunkBytes must be positive")
        let size = UInt64(contents.readableBytes)
        var puts: [Put] = []
        var offset = 0
        repeat {
            let length = min(chunkBytes, contents.readableBytes - offset)
            let bytes = contents.getSlice(at: contents.readerIndex + offset, length: length)!
            puts.append(Put(name: name, executable: executable, size: size, offset: UInt64(offset), bytes: bytes))
            offset += length
        } while offset < contents.readableBytes
        return puts
    }
}

extension Put: WirePayload {
    init(wire buffer: inout ByteBuffer) throws {
        self.name = try buffer.readWireString(field: "put.name")
        if let problem = Self.problem(withName: self.name) {
            throw ProtocolError(.invalidField, "put.name \(problem)")
        }
        let flags = try buffer.readWireInteger(as: UInt8.self, field: "put.flags")
        guard flags & ~1 == 0 else { throw ProtocolError(.invalidField, "put.flags has unknown bits \(flags & ~1)") }
        self.executable = flags & 1 != 0
        self.size = try buffer.readWireInteger(field: "put.size")
        self.offset = try buffer.readWireInteger(field: "put.offset")
        self.bytes = try buffer.readWireBytes(field: "put.bytes")
        guard self.offset <= self.size, UInt64(self.bytes.readableBytes) <= self.size - self.offset else {
            throw ProtocolError(
                .invalidField,
                "put.bytes: \(self.bytes.readableBytes) bytes at offset \(self.offset) run past put.size \(self.size)"
            )
        }
    }

    func write(wire buffer: inout ByteBuffer) throws {
        if let problem = Self.problem(withName: self.name) {
            throw ProtocolError(.invalidField, "put.name \(problem)")
        }
        try buffer.writeWireString(self.name, field: "put.name")
        buffer.writeMultipleIntegers(UInt8(self.executable ? 1 : 0), self.size, self.offset)
        try buffer.writeWireBytes(self.bytes, field: "put.bytes")
    }
}
