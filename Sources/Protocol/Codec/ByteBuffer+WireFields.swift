import NIOCore

/// Reading and writing the field types of the wire format; every read failure is a ``ProtocolError`` that names
/// the field. A job kind that encodes its input and output by hand uses them too.
extension ByteBuffer {
    /// The largest string a UInt16 length prefix can carry.
    public static let maximumWireStringLength = Int(UInt16.max)

    public mutating func readWireInteger<Value: FixedWidthInteger>(
        as type: Value.Type = Value.self,
        field: StaticString
    ) throws -> Value {
        guard let value = self.readInteger(as: Value.self) else {
            throw ProtocolError(
                .truncatedFrame,
                "payload ends inside \(field): it needs \(MemoryLayout<Value>.size) bytes, \(self.readableBytes) left"
            )
        }
        return value
    }

    public mutating func readWireEnum<Value: RawRepresentable>(
        as type: Value.Type = Value.self,
        field: StaticString,
        code: ErrorCode = .invalidField
    ) throws -> Value where Value.RawValue: FixedWidthInteger {
        let raw = try self.readWireInteger(as: Value.RawValue.self, field: field)
        guard let value = Value(rawValue: raw) else {
            throw ProtocolError(code, "\(field) has unknown value \(raw)")
        }
        return value
    }

    public mutating func readWireBool(field: StaticString) throws -> Bool {
        switch try self.readWireInteger(as: UInt8.self, field: field) {
        case 0: return false
        case 1: return true
        case let other: throw ProtocolError(.invalidField, "\(field) must be 0 or 1, not \(other)")
        }
    }

    /// A UTF-8 string behind a UInt16 byte count.
    public mutating func readWireString(field: StaticString) throws -> String {
        guard let length = self.readInteger(as: UInt16.self) else {
            throw ProtocolError(.truncatedFrame, "payload ends inside the length of \(field)")
        }
        do {
            guard let string = try self.readUTF8ValidatedString(length: Int(length)) else {
                throw ProtocolError(
                    .truncatedFrame,
                    "\(field) declares \(length) bytes but the payload has \(self.readableBytes) left"
                )
            }
            return string
        } catch is ByteBuffer.ReadUTF8ValidationError {
            throw ProtocolError(.invalidUTF8, "\(field) is not valid UTF-8")
        }
    }

    /// Raw bytes behind a UInt32 byte count.
    public mutating func readWireBytes(field: StaticString) throws -> ByteBuffer {
        guard let length = self.readInteger(as: UInt32.self) else {
            throw ProtocolError(.truncatedFrame, "payload ends inside the length of \(field)")
        }
        guard let bytes = self.readSlice(length: Int(length)) else {
            throw ProtocolError(
                .truncatedFrame,
                "\(field) declares \(length) bytes but the payload has \(self.readableBytes) left"
            )
        }
        return bytes
    }

    public mutating func writeWireString(_ string: String, field: StaticString) throws {
        let length = string.utf8.count
        guard length <= Self.maximumWireStringLength else {
            throw ProtocolError(
                .invalidField,
                "\(field) is \(length) bytes of UTF-8; at most \(Self.maximumWireStringLength) fit"
            )
        }
        self.writeInteger(UInt16(length))
        self.writeString(string)
    }

    public mutating func writeWireBytes(_ bytes: ByteBuffer, field: StaticString) throws {
        guard let length = UInt32(exactly: bytes.readableBytes) else {
            throw ProtocolError(.invalidField, "\(field) is \(bytes.readableBytes) bytes; at most \(UInt32.max) fit")
        }
        self.writeInteger(length)
        self.writeImmutableBuffer(bytes)
    }

    public mutating func writeWireBool(_ value: Bool) {
        self.writeInteger(value ? 1 : 0, as: UInt8.self)
    }
}

extension ByteBuffer {
    /// The largest value a ``writeWireLength(_:)`` takes: what fits a 32-bit frame.
    public static let maximumWireLength = Int(UInt32.max)

    /// A count or length as 1 to 5 bytes, seven bits each, least significant first (LEB128): lengths below 128,
    /// the common case, take one byte.
    public mutating func readWireLength(field: StaticString) throws -> Int {
        var value = 0
        for index in 0..<5 {
            guard let byte = self.readInteger(as: UInt8.self) else {
                throw ProtocolError(.truncatedFrame, "payload ends inside \(field)")
            }
            value |= Int(byte & 0x7F) << (7 * index)
            if byte & 0x80 == 0 {
                guard value <= Self.maximumWireLength else {
                    throw ProtocolError(.invalidField, "\(field) is \(value); at most \(Self.maximumWireLength) fits")
                }
                return value
            }
        }
        throw ProtocolError(.invalidField, "\(field) runs past 5 bytes")
    }

    /// Appends `length` as ``readWireLength(field:)`` reads it.
    public mutating func writeWireLength(_ length: Int, field: StaticString) throws {
        guard length >= 0, length <= Self.maximumWireLength else {
            throw ProtocolError(.invalidField, "\(field) is \(length); 0 to \(Self.maximumWireLength) fit")
        }
        var rest = UInt32(length)
        while rest >= 0x80 {
            self.writeInteger(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        self.writeInteger(UInt8(rest))
    }
}
