import FanoutBuiltinJobs
import FanoutJobs
import FanoutProtocol
import Logging
import NIOCore
import NIOPosix
import Testing

/// A kind whose input and output travel as JSON.
struct Greeting: Job, Codable, Equatable {
    typealias Output = Reply
    struct Reply: Codable, Equatable, Sendable {
        var text: String
        var count: Int
    }

    static let kind = JobKindName("test.greeting", version: 1)
    var name: String
    var times: Int

    func run(in context: JobContext) async throws -> Reply {
        Reply(text: String(repeating: "hello \(self.name) ", count: self.times), count: self.times)
    }
}

/// Another type under ``Greeting``'s name.
struct Impostor: Job, Codable {
    typealias Output = Int
    static let kind = JobKindName("test.greeting", version: 1)
    func run(in context: JobContext) async throws -> Int { 0 }
}

struct Named: Job, Codable {
    typealias Output = Int
    nonisolated(unsafe) static var kind = JobKindName("", version: 1)
    func run(in context: JobContext) async throws -> Int { 0 }
}

@Suite("Job kinds: registering, encoding and running", .serialized)
struct JobKindsTests {
    @Test("two kinds under one name is an error naming both types")
    func duplicate() throws {
        let error = try #require(throws: JobSetupError.self) { try JobKinds([Greeting.self, NoOp.self, Impostor.self]) }
        #expect(error.code == .duplicateName)
        #expect(error.message.contains("test.greeting.v1"))
        #expect(error.message.contains("Greeting"))
        #expect(error.message.contains("Impostor"))
    }

    @Test("an empty name, a long one and one with a space are refused when registered", arguments: ["", String(repeating: "a", count: 123), "has space", "a..b"])
    func badNames(name: String) throws {
        Named.kind = JobKindName(name, version: 1)
        let error = try #require(throws: JobSetupError.self) { try JobKinds([Named.self]) }
        #expect(error.code == .invalidName)
        #expect(error.message.contains("Named"))
    }

    @Test("a kind brings its batch kind; the built-ins list fourteen kinds")
    func batchKinds() throws {
        let kinds = BuiltinJobs.registered.names.map(\.description)
        #expect(kinds.count == 14)
        #expect(kinds.contains("exec.v1"))
        #expect(kinds.contains("primes.check.v1"))
        #expect(kinds.contains("primes.check.batch.v1"))
        #expect(try JobKinds([Greeting.self]).names == [Greeting.kind, JobBatch<Greeting>.kind])
        #expect(try JobKinds(BuiltinJobs.kinds).names == BuiltinJobs.registered.names, "registered one by one, in the same order")
    }

    @Test("a Codable kind round-trips its input and output as JSON, and runs")
    func codable() async throws {
        try await Self.withContext { context in
            let kinds = try JobKinds([Greeting.self])
            var input = ByteBuffer()
            try Greeting(name: "Ada", times: 2).encodeInput(into: &input)
            #expect(String(buffer: input).contains("\"name\":\"Ada\""))
            let outcome = await kinds.run(JobKindID(rawValue: 0), payload: input, context: context)
            guard case .ok(var output) = outcome else {
                Issue.record("expected an output, got \(outcome)")
                return
            }
            #expect(try Greeting.decodeOutput(from: &output) == Greeting.Reply(text: "hello Ada hello Ada ", count: 2))
        }
    }

    @Test("an input that does not decode fails the job naming the kind and the field")
    func undecodable() async throws {
        try await Self.withContext { context in
            let kinds = try JobKinds([Greeting.self] + BuiltinJobs.kinds)
            let greeting = await kinds.run(JobKindID(rawValue: 0), payload: ByteBuffer(string: #"{"name":"Ada","times":"two"}"#), context: context)
            let prime = try #require(kinds.names.firstIndex(of: PrimeCheck.kind))
            var bad = ByteBuffer()
            bad.writeMultipleIntegers(UInt64(97), UInt8(9))
            let method = await kinds.run(JobKindID(rawValue: UInt16(prime)), payload: bad, context: context)
            let short = await kinds.run(JobKindID(rawValue: UInt16(prime)), payload: ByteBuffer(bytes: [1, 2]), context: context)
            let unknown = await kinds.run(JobKindID(rawValue: 99), payload: ByteBuffer(), context: context)
            for (outcome, words) in [
                (greeting, ["test.greeting.v1", "input field times"]),
                (method, ["primes.check.v1", "method", "9"]),
                (short, ["primes.check.v1", "n"]),
                (unknown, ["kind #99"]),
            ] {
                guard case .failed(let failure) = outcome else {
                    Issue.record("expected a failure, got \(outcome)")
                    continue
                }
                #expect(failure.code == (words == ["kind #99"] ? .unknownJobKind : .invalidJob))
                for word in words { #expect(failure.message.contains(word), "\(failure.message) names \(word)") }
            }
        }
    }

    @Test("the built-in kinds write the bytes PROTOCOL.md gives")
    func builtinBytes() throws {
        func input<J: Job>(_ job: J) throws -> [UInt8] {
            var buffer = ByteBuffer()
            try job.encodeInput(into: &buffer)
            return Array(buffer.readableBytesView)
        }
        #expect(try input(PrimeCheck(97, method: .millerRabin)) == [0, 0, 0, 0, 0, 0, 0, 97, 3])
        #expect(try input(Fibonacci(20)) == [0, 0, 0, 20])
        #expect(try input(Sleep(.microseconds(1))) == [0, 0, 0, 0, 0, 0, 0x03, 0xE8])
        #expect(try input(NoOp()) == [])
        #expect(try input(FlagDownload(country: "Chad", url: "u")) == [0, 4] + Array("Chad".utf8) + [0, 1, UInt8(ascii: "u")])
        #expect(try input(JobBatch([Fibonacci(1), Fibonacci(2)])) == [2, 4, 0, 0, 0, 1, 4, 0, 0, 0, 2])
        var output = ByteBuffer()
        try JobBatch<Fibonacci>.encodeOutput([.success(5), .failure(JobFailure(code: .invalidJob, message: "x"))], into: &output)
        #expect(Array(output.readableBytesView) == [2, 0, 8, 0, 0, 0, 0, 0, 0, 0, 5, 1, 0x01, 0x05, 0, 0, 0, 0, 0, 1, UInt8(ascii: "x")])
        var longItem = ByteBuffer()
        try JobBatch([FlagDownload(country: String(repeating: "a", count: 130), url: "u")]).encodeInput(into: &longItem)
        #expect(Array(longItem.readableBytesView.prefix(3)) == [1, 0x87, 0x01], "an item of 135 bytes has a two-byte length")
        #expect(try JobBatch<FlagDownload>(input: &longItem).jobs.first?.country.count == 130)
    }

    static func withContext(_ body: (JobContext) async throws -> Void) async throws {
        try await JobEnvironment.withLocal(maximumOutputLength: 1 << 20, logger: Logger(label: "test")) { environment in
            try await body(JobContext(jobID: JobID(1), attempt: 1, slot: 0, environment: environment))
        }
    }
}
