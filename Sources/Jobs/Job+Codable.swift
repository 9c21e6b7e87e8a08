import FanoutProtocol
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore

// A `Codable` input or output travels as JSON, by swift-foundation's encoder: of the Codable encoders a
// Linux toolchain ships it is the fastest, and a kind that needs more speed writes its bytes by hand
// (docs/JOBS.md gives the figures).

extension Job where Self: Codable {
    public init(input buffer: inout ByteBuffer) throws {
        self = try JSONCoding.decode(Self.self, from: &buffer, what: "input")
    }

    public func encodeInput(into buffer: inout ByteBuffer) throws {
        try JSONCoding.encode(self, into: &buffer)
    }
}

extension Job where Output: Codable {
    public static func encodeOutput(_ output: Output, into buffer: inout ByteBuffer) throws {
        try JSONCoding.encode(output, into: &buffer)
    }

    public static func decodeOutput(from buffer: inout ByteBuffer) throws -> Output {
        try JSONCoding.decode(Output.self, from: &buffer, what: "output")
    }
}

/// JSON for `Codable` inputs and outputs, with decoding errors that name the field.
enum JSONCoding {
    // Both are Sendable and keep no state between calls: one of each serves every thread.
    private static let encoder = JSONEncoder()
    private static let decoder = JSONDecoder()

    static func encode<Value: Encodable>(_ value: Value, into buffer: inout ByteBuffer) throws {
        buffer.writeBytes(try Self.encoder.encode(value))
    }

    /// Reads the rest of `buffer` as a `Value`.
    static func decode<Value: Decodable>(_ type: Value.Type, from buffer: inout ByteBuffer, what: String) throws -> Value {
        let data = buffer.withUnsafeReadableBytes { Data($0) }
        buffer.moveReaderIndex(to: buffer.writerIndex)
        do {
            return try Self.decoder.decode(Value.self, from: data)
        } catch let error as DecodingError {
            throw ProtocolError(.invalidField, Self.describe(error, what: what))
        }
    }

    /// What is wrong and where: "input field items[2].name is missing", "input field times: expected Int; …".
    static func describe(_ error: DecodingError, what: String) -> String {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            var field = ""
            for key in codingPath + (last.map { [$0] } ?? []) {
                if let index = key.intValue {
                    field += "[\(index)]"
                } else {
                    field += (field.isEmpty ? "" : ".") + key.stringValue
                }
            }
            return field.isEmpty ? what : "\(what) field \(field)"
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath, key)) is missing"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)) is null; expected \(type)"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(type); \(context.debugDescription)"
        case .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(what): \(error)"
        }
    }
}
