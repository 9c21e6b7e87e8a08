import NIOCore

/// Reading and writing the field types of the wire format; every read failure names the field.
extension ByteBuffer {
    /// The largest string a UInt16 length prefix can carry.
    static let maximumWireStringLength = Int(UInt16.max)

    mutating func readWireInteger<Value: FixedWidthInteger>(
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

    mutating func readWireEnum<Value: RawRepresentable>(
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

    mutating func readWireBool(field: StaticString) throws -> Bool {
        switch try self.readWireInteger(as: UInt8.self, field: field) {
        case 0: return false
        case 1: return true
        case let other: throw ProtocolError(.invalidField, "\(field) must be 0 or 1, not \(other)")
        }
    }

    /// A UTF-8 string behind a UInt16 byte count.
    mutating func readWireString(field: StaticString) throws -> String {
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
    mutating func readWireBytes(field: StaticString) throws -> ByteBuffer {
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

    mutating func writeWireString(_ string: String, field: StaticString) throws {
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

    mutating func writeWireBytes(_ bytes: ByteBuffer, field: StaticString) throws {
        guard let length = UInt32(exactly: bytes.readableBytes) else {
            throw ProtocolError(.invalidField, "\(field) is \(bytes.readableBytes) bytes; at most \(UInt32.max) fit")
        }
        self.writeInteger(length)
        self.writeImmutableBuffer(bytes)
    }

    mutating func writeWireBool(_ value: Bool) {
        self.writeInteger(value ? 1 : 0, as: UInt8.self)
    }
}

extension ByteBuffer {
    /// The number of jobs in a batch: a UInt32, at least 1.
    mutating func readBatchCount(field: StaticString) throws -> Int {
        let count: UInt32 = try self.readWireInteger(field: field)
        guard count > 0 else { throw ProtocolError(.invalidField, "\(field) is 0; a batch holds at least one job") }
        return Int(count)
    }

    mutating func writeBatchCount(_ count: Int, field: StaticString) throws {
        guard count > 0, let wire = UInt32(exactly: count) else {
            throw ProtocolError(.invalidField, "\(field) is \(count); a batch holds 1 to \(UInt32.max) jobs")
        }
        self.writeInteger(wire)
    }
}
