import FanoutProtocol
import NIOCore
import Testing

/// The protocol carries a job's input and output as bytes its kind defines, and names kinds by the numbers a
/// worker's hello gives them: what it must keep intact and what it must refuse.
@Suite("Opaque job bytes")
struct OpaqueJobBytesTests {
    /// Every byte value, then bytes that would read as a drain frame, a failure and a huge length.
    static let awkward: [UInt8] = Array(0...255) + [0, 0, 0, 2, 6, 0] + [0x01, 0x02, 0, 0, 0, 0, 0, 2, 0x6E, 0x6F]
        + [0xFF, 0xFF, 0xFF, 0xFF]

    static func decodeAll(_ input: ByteBuffer) throws -> [Message] {
        var buffer = input
        var decoder = MessageDecoder()
        var messages: [Message] = []
        while let message = try decoder.decode(buffer: &buffer) {
            messages.append(message)
        }
        #expect(buffer.readableBytes == 0)
        return messages
    }

    @Test("a submit's payload arrives byte for byte, after the fixed fields")
    func payloadUntouched() throws {
        let submit = Submit(
            jobID: JobID(42),
            attempt: 2,
            kind: JobKindID(rawValue: 0x0107),
            timeoutNanoseconds: 9,
            payload: ByteBuffer(bytes: Self.awkward)
        )
        let encoded = try frame(.submit(submit))
        // 22 bytes of type, flags and fixed fields and 276 of payload: 298 = 0x12A.
        #expect(Self.awkward.count == 276)
        let fixed = "0000012A 02 00  000000000000002A 0002 0107 0000000000000009"
        #expect(encoded.getSlice(at: 0, length: 4 + Submit.overhead)?.hexDump == ByteBuffer(hex: fixed).hexDump)
        #expect(Array(encoded.readableBytesView.dropFirst(4 + Submit.overhead)) == Self.awkward)

        let decoded = try Self.decodeAll(encoded)
        guard case .submit(let received) = try #require(decoded.first), decoded.count == 1 else {
            Issue.record("decoded \(decoded), not one submit")
            return
        }
        #expect(received.kind == JobKindID(rawValue: 0x0107))
        #expect(Array(received.payload.readableBytesView) == Self.awkward)
    }

    @Test("a submit with an empty payload is the fixed fields alone")
    func emptyPayload() throws {
        let submit = Submit(jobID: JobID(1), kind: JobKindID(rawValue: 3), payload: ByteBuffer())
        let encoded = try frame(.submit(submit))
        #expect(encoded.hexDump == ByteBuffer(hex: "00000016 02 00  0000000000000001 0001 0003 0000000000000000").hexDump)
        let decoded = try Self.decodeAll(encoded)
        #expect(decoded == [.submit(submit)])
        guard case .submit(let received) = decoded.first else { return }
        #expect(received.payload.readableBytes == 0)
    }

    @Test("only a payload's readable bytes are sent")
    func payloadReadableBytesOnly() throws {
        var payload = ByteBuffer(bytes: [1, 2, 3, 4])
        payload.moveReaderIndex(forwardBy: 1)
        let encoded = try frame(.submit(Submit(jobID: JobID(1), kind: JobKindID(rawValue: 0), payload: payload)))
        #expect(encoded.hexDump == ByteBuffer(hex: "00000019 02 00  0000000000000001 0001 0000 0000000000000000  020304").hexDump)
    }

    @Test("a payload or output ends where its frame ends, not at the next frame")
    func payloadEndsWithItsFrame() throws {
        let messages: [Message] = [
            .submit(Submit(jobID: JobID(1), kind: JobKindID(rawValue: 0), payload: ByteBuffer(bytes: [0xAA]))),
            .submit(Submit(jobID: JobID(2), kind: JobKindID(rawValue: 1), payload: ByteBuffer())),
            .result(JobResult(jobID: JobID(1), attempt: 1, outcome: .ok(ByteBuffer(bytes: [0, 0, 0, 2, 6, 0])), slot: 0)),
            .drain,
        ]
        var buffer = ByteBuffer()
        for message in messages {
            try buffer.writeFrame(message)
        }
        #expect(try Self.decodeAll(buffer) == messages)
    }

    @Test("an ok result's output arrives byte for byte, after the fixed fields")
    func outputUntouched() throws {
        let result = JobResult(
            jobID: JobID(7),
            attempt: 1,
            outcome: .ok(ByteBuffer(bytes: Self.awkward)),
            slot: 5,
            queueNanoseconds: 1,
            runNanoseconds: 2,
            startedAt: 3
        )
        let encoded = try frame(.result(result))
        #expect(Array(encoded.readableBytesView.dropFirst(4 + JobResult.overhead)) == Self.awkward)
        let decoded = try Self.decodeAll(encoded)
        guard case .result(let received) = try #require(decoded.first), case .ok(let output) = received.outcome else {
            Issue.record("decoded \(decoded), not an ok result")
            return
        }
        #expect(Array(output.readableBytesView) == Self.awkward)
        #expect(received == result)
    }

    @Test("an ok result with empty output is the fixed fields alone")
    func emptyOutput() throws {
        let result = JobResult(jobID: JobID(1), attempt: 1, outcome: .ok(ByteBuffer()), slot: 0)
        let encoded = try frame(.result(result))
        #expect(encoded.readableBytes == 4 + JobResult.overhead)
        #expect(try Self.decodeAll(encoded) == [.result(result)])
    }

    @Test("the protocol passes on any kind number; the worker decides what it runs")
    func anyKindNumber() throws {
        for raw: UInt16 in [0, 1, 0x0100, .max] {
            let submit = Message.submit(Submit(jobID: JobID(1), kind: JobKindID(rawValue: raw), payload: ByteBuffer()))
            #expect(try Self.decodeAll(try frame(submit)) == [submit])
        }
    }
}

@Suite("Kinds in a worker's hello")
struct HelloKindsTests {
    static func workerHello(kinds: [JobKindName]) -> Hello {
        .worker(
            softwareVersion: "0.1.0",
            hostName: "w1",
            capabilities: WorkerCapabilities(poolKind: .threads, slots: 2, cores: 8, kinds: kinds)
        )
    }

    static func decodeError(_ hello: Hello) throws -> ProtocolError {
        var buffer = try frame(.hello(hello))
        var decoder = MessageDecoder()
        return try #require(throws: ProtocolError.self) { _ = try decoder.decode(buffer: &buffer) }
    }

    @Test("a hello with kinds round-trips, in order, and numbers them by their places")
    func kindsRoundTrip() throws {
        let kinds = [
            JobKindName("primes.check", version: 1),
            JobKindName("primes.check.batch", version: 1),
            JobKindName("primes.check", version: 2),
            JobKindName("text.words", version: 7),
        ]
        var buffer = try frame(.hello(Self.workerHello(kinds: kinds)))
        var decoder = MessageDecoder()
        guard case .hello(let hello) = try decoder.decode(buffer: &buffer), let capabilities = hello.capabilities else {
            Issue.record("a worker's hello did not decode to one with capabilities")
            return
        }
        #expect(capabilities.kinds == kinds)
        #expect(capabilities.id(of: JobKindName("primes.check", version: 1)) == JobKindID(rawValue: 0))
        #expect(capabilities.id(of: JobKindName("primes.check", version: 2)) == JobKindID(rawValue: 2))
        #expect(capabilities.id(of: JobKindName("text.words", version: 7)) == JobKindID(rawValue: 3))
        #expect(capabilities.id(of: JobKindName("text.words", version: 6)) == nil)
        #expect(capabilities.id(of: JobKindName("fibonacci", version: 1)) == nil)
    }

    @Test("a worker that runs no kinds says so with a count of 0")
    func noKinds() throws {
        let hello = Self.workerHello(kinds: [])
        let encoded = try frame(.hello(hello))
        #expect(encoded.hexDump.hasSuffix("01" + "0002" + "0008" + "0000"))
        var buffer = encoded
        var decoder = MessageDecoder()
        #expect(try decoder.decode(buffer: &buffer) == .hello(hello))
    }

    @Test("a hello listing a kind twice is refused, naming the field and the kind")
    func duplicateKind() throws {
        let hello = Self.workerHello(kinds: [
            JobKindName("noop", version: 1),
            JobKindName("sleep", version: 1),
            JobKindName("noop", version: 1),
        ])
        let error = try Self.decodeError(hello)
        #expect(error.code == .invalidField)
        #expect(error.message.contains("hello.kind 2"), "\(error)")
        #expect(error.message.contains("noop.v1"), "\(error)")
        #expect(error.message.contains("twice"), "\(error)")
    }

    @Test(
        "a hello with an invalid kind name is refused, naming the field",
        arguments: ["", "a b", "a..b", ".a", "a.", "prîmes", "a/b", "tab\tname", String(repeating: "x", count: 129)]
    )
    func invalidKindName(name: String) throws {
        let invalid = JobKindName(name, version: 1)
        #expect(throws: ProtocolError.self) { try invalid.validate() }
        let error = try Self.decodeError(Self.workerHello(kinds: [JobKindName("noop", version: 1), invalid]))
        #expect(error.code == .invalidField)
        #expect(error.message.hasPrefix("hello.kind 1: "), "\(error)")
        if name.isEmpty {
            #expect(error.message.contains("empty"), "\(error)")
        }
    }

    @Test("names of letters, digits, dots, underscores and dashes up to 128 bytes are accepted")
    func validKindNames() throws {
        let kinds = ["a", "A.b-c_d.9", String(repeating: "x", count: 128)].map { JobKindName($0, version: 0) }
        for kind in kinds {
            #expect(throws: Never.self) { try kind.validate() }
        }
        var buffer = try frame(.hello(Self.workerHello(kinds: kinds)))
        var decoder = MessageDecoder()
        #expect(try decoder.decode(buffer: &buffer) == .hello(Self.workerHello(kinds: kinds)))
    }
}

@Suite("Wire lengths")
struct WireLengthTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var value: Int
        var hex: String
        var testDescription: String { "\(self.value)" }
    }

    static let cases: [Case] = [
        Case(value: 0, hex: "00"),
        Case(value: 1, hex: "01"),
        Case(value: 127, hex: "7F"),
        Case(value: 128, hex: "8001"),
        Case(value: 300, hex: "AC02"),
        Case(value: 16383, hex: "FF7F"),
        Case(value: 16384, hex: "808001"),
        Case(value: Int(UInt32.max), hex: "FFFFFFFF0F"),
    ]

    @Test("a length writes as LEB128 and reads back, leaving what follows", arguments: Self.cases)
    func roundTrip(length: Case) throws {
        var buffer = ByteBuffer()
        try buffer.writeWireLength(length.value, field: "test.length")
        #expect(buffer.hexDump == length.hex)
        buffer.writeInteger(UInt8(0xEE))
        #expect(try buffer.readWireLength(field: "test.length") == length.value)
        #expect(buffer.hexDump == "EE")
    }

    @Test("a length running past five bytes is refused, naming the field")
    func sixBytes() throws {
        var buffer = ByteBuffer(hex: "80 80 80 80 80 00")
        let error = try #require(throws: ProtocolError.self) { try buffer.readWireLength(field: "test.length") }
        #expect(error.code == .invalidField)
        #expect(error.message.contains("test.length"), "\(error)")
        #expect(error.message.contains("5 bytes"), "\(error)")
    }

    @Test("a length cut short is refused as truncated, naming the field", arguments: ["", "80", "FF FF", "80 80 80 80"])
    func truncated(hex: String) throws {
        var buffer = ByteBuffer(hex: hex)
        let error = try #require(throws: ProtocolError.self) { try buffer.readWireLength(field: "test.length") }
        #expect(error.code == .truncatedFrame)
        #expect(error.message.contains("test.length"), "\(error)")
    }

    @Test("a five-byte length over UInt32.max is refused", arguments: ["80 80 80 80 10", "FF FF FF FF 7F"])
    func overUInt32(hex: String) throws {
        var buffer = ByteBuffer(hex: hex)
        let error = try #require(throws: ProtocolError.self) { try buffer.readWireLength(field: "test.length") }
        #expect(error.code == .invalidField)
        #expect(error.message.contains("test.length"), "\(error)")
    }

    @Test("a length out of range is refused on write and writes nothing", arguments: [-1, Int(UInt32.max) + 1, Int.max])
    func writeOutOfRange(value: Int) throws {
        var buffer = ByteBuffer(hex: "AA")
        let error = try #require(throws: ProtocolError.self) { try buffer.writeWireLength(value, field: "test.length") }
        #expect(error.code == .invalidField)
        #expect(error.message.contains("test.length"), "\(error)")
        #expect(buffer.hexDump == "AA")
    }
}

@Suite("Versions")
struct VersionTests {
    @Test("a peer on version 3 is refused, and the message names both versions", arguments: [PeerRole.coordinator, .worker])
    func version3Refused(role: PeerRole) throws {
        let capabilities = role == .worker
            ? WorkerCapabilities(poolKind: .threads, slots: 1, cores: 1, kinds: [JobKindName("noop", version: 1)])
            : nil
        let old = Hello(
            protocolVersion: ProtocolVersion(rawValue: 3),
            role: role,
            softwareVersion: "0.0.9",
            hostName: "old",
            capabilities: capabilities
        )
        var buffer = try frame(.hello(old))
        var decoder = MessageDecoder()
        let error = try #require(throws: ProtocolError.self) { _ = try decoder.decode(buffer: &buffer) }
        #expect(error.code == .versionMismatch)
        #expect(error.message.contains("version 3"), "\(error)")
        #expect(error.message.contains("version 5"), "\(error)")
        #expect(error.report == ErrorReport(code: .versionMismatch, message: error.message))
    }

    @Test("every version but the current one is refused", arguments: [UInt16(0), 1, 2, 3, 4, 6, .max])
    func otherVersionsRefused(raw: UInt16) throws {
        var buffer = try frame(.hello(Hello(protocolVersion: ProtocolVersion(rawValue: raw), role: .coordinator, softwareVersion: "", hostName: "")))
        var decoder = MessageDecoder()
        let error = try #require(throws: ProtocolError.self) { _ = try decoder.decode(buffer: &buffer) }
        #expect(error.code == .versionMismatch)
        #expect(error.message.contains("version \(raw)"), "\(error)")
    }
}
