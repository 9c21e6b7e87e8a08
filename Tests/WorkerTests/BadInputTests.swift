@testable import FanoutWorker
import FanoutBuiltinJobs
import FanoutProtocol
import FanoutTestSupport
import NIOCore
import NIOPosix
import Testing

/// What a peer sends over mutual TLS, and the error frame the worker must answer with before closing.
struct BadPeer: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: @Sendable () throws -> [ByteBuffer]
    var code: ErrorCode
    var mentions: String

    var testDescription: String { self.name }

    static let coordinatorHello = Message.hello(.coordinator(softwareVersion: "test", hostName: "bad-peer"))

    static let all: [BadPeer] = [
        BadPeer(name: "garbage bytes", bytes: { [ByteBuffer(string: "hello, is this the worker?\n")] }, code: .frameTooLarge, mentions: "over the limit"),
        BadPeer(name: "an oversize frame header", bytes: { [ByteBuffer(bytes: [0x7F, 0, 0, 0, 0x02, 0x00])] }, code: .frameTooLarge, mentions: "2130706432"),
        BadPeer(
            name: "a hello with another protocol version",
            bytes: { [try RawConnection.frame(.hello(Hello(protocolVersion: ProtocolVersion(rawValue: 9), role: .coordinator, softwareVersion: "future", hostName: "x")))] },
            code: .versionMismatch,
            mentions: "version 9, this side speaks version \(ProtocolVersion.current)"
        ),
        BadPeer(
            name: "a submit before any hello",
            bytes: { [try RawConnection.frame(.submit(Submit.job(NoOp(), id: 1)))] },
            code: .unexpectedMessage,
            mentions: "expected hello first"
        ),
        BadPeer(
            name: "a worker's hello",
            bytes: {
                [try RawConnection.frame(.hello(.worker(softwareVersion: "x", hostName: "x", capabilities: WorkerCapabilities(poolKind: .threads, slots: 1, cores: 1, kinds: []))))]
            },
            code: .handshakeRefused,
            mentions: "only a coordinator"
        ),
        BadPeer(
            name: "a job id already in flight",
            bytes: {
                [
                    try RawConnection.frame(Self.coordinatorHello),
                    try RawConnection.frame(.submit(Submit.job(Sleep(.nanoseconds(500_000_000)), id: 5))),
                    try RawConnection.frame(.submit(Submit.job(NoOp(), id: 5))),
                ]
            },
            code: .duplicateJob,
            mentions: "job 5"
        ),
        BadPeer(
            name: "a result sent to a worker",
            bytes: {
                [
                    try RawConnection.frame(Self.coordinatorHello),
                    try RawConnection.frame(.result(JobResult(jobID: JobID(1), attempt: 1, outcome: .cancelled, slot: nil))),
                ]
            },
            code: .unexpectedMessage,
            mentions: "result"
        ),
        BadPeer(
            name: "a malformed submit after the hello",
            bytes: { [try RawConnection.frame(Self.coordinatorHello), ByteBuffer(bytes: [0, 0, 0, 3, 0x02, 0x00, 0xFF])] },
            code: .truncatedFrame,
            mentions: "submit.jobID"
        ),
    ]
}

@Suite("Bad input")
struct BadInputTests {
    @Test("a bad peer gets an error frame and is disconnected", arguments: BadPeer.all)
    func badPeer(peer: BadPeer) async throws {
        try await RunningWorker.with(pool: .threads, size: 1) { worker in
            let reply = try await RawConnection.send(try peer.bytes(), port: worker.port, tls: worker.clientContext)
            guard case .error(let report)? = reply.frames().last else {
                Issue.record("expected an error frame, got \(reply.frames()) (\(String(describing: reply.error)))")
                return
            }
            #expect(report.code == peer.code, "\(report)")
            #expect(report.message.contains(peer.mentions), "\(report.message)")
        }
    }

    @Test("garbage, plaintext and protocol errors on other connections leave a session's jobs untouched")
    func otherSessionsGoOn() async throws {
        try await RunningWorker.with(pool: .threads, size: 2) { worker in
            try await worker.session { session, _ in
                try await session.send(.submit(Submit.job(Sleep(.nanoseconds(200_000_000)), id: 1)))

                let plaintext = try await RawConnection.send(
                    [ByteBuffer(string: "GET / HTTP/1.1\r\nHost: worker\r\n\r\n")],
                    port: worker.port,
                    tls: nil
                )
                #expect(plaintext.frames().isEmpty, "a plaintext peer never gets a frame")
                for peer in BadPeer.all {
                    let reply = try await RawConnection.send(try peer.bytes(), port: worker.port, tls: worker.clientContext)
                    guard case .error? = reply.frames().last else {
                        Issue.record("\(peer.name): no error frame")
                        continue
                    }
                }

                #expect(try await session.result(for: JobID(1)).outcome == JobOutcome.empty)
                try await session.send(.submit(Submit.job(PrimeCheck(7_919, method: .millerRabin), id: 2)))
                #expect(try await session.result(for: JobID(2)).outcome == JobOutcome.output(PrimeCheck.self, true))
            }
        }
    }

    @Test("a connection that never says hello is closed after the handshake timeout")
    func silentPeer() async throws {
        // The timeout counts from the TCP accept, so it must outlast the TLS handshake even on a loaded machine
        // for the error frame to have a channel to travel on.
        try await RunningWorker.with(pool: .threads, size: 1, configure: { $0.handshakeTimeout = .seconds(3) }) { worker in
            let reply = try await RawConnection.send([], port: worker.port, tls: worker.clientContext)
            guard case .error(let report)? = reply.frames().last else {
                Issue.record("expected an error frame, got \(reply.frames())")
                return
            }
            #expect(report.code == .handshakeRefused)
            #expect(report.message.contains("no hello"))
        }
    }

    @Test("a connection that never finishes its TLS handshake is closed after the handshake timeout, not the idle one")
    func stalledTLS() async throws {
        try await RunningWorker.with(pool: .threads, size: 1, configure: {
            $0.handshakeTimeout = .seconds(1)
            $0.idleTimeout = .seconds(600)
        }) { worker in
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: worker.port).get()
            // The worker's error frame cannot travel before TLS is up; it closes the connection anyway. The cap
            // only keeps a failing run from hanging for the idle timeout.
            let closed = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await channel.closeFuture.get()
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(60))
                    return false
                }
                defer { group.cancelAll() }
                return try await group.next() ?? false
            }
            #expect(closed)
            try? await channel.close()
        }
    }

    @Test("a submit of a kind the worker does not run gets a typed failure, and the connection stays up")
    func unknownKind() async throws {
        try await RunningWorker.with(pool: .threads, size: 1) { worker in
            try await worker.session { session, hello in
                let count = try #require(hello.capabilities?.kinds.count)
                try await session.send(.submit(Submit(jobID: JobID(1), kind: JobKindID(rawValue: UInt16(count)), payload: ByteBuffer())))
                let refused = try await session.result(for: JobID(1))
                guard case .failed(let failure) = refused.outcome else {
                    Issue.record("expected a failure, got \(refused.outcome)")
                    return
                }
                #expect(failure.code == .unknownJobKind)
                #expect(failure.message.contains("kind #\(count)"))
                try await session.send(.submit(.job(PrimeCheck(7_919, method: .millerRabin), id: 2)))
                #expect(try await session.result(for: JobID(2)).outcome == JobOutcome.output(PrimeCheck.self, true))
            }
        }
    }

    @Test("a payload that does not decode fails that job, naming the kind and the field", arguments: [PoolKind.threads, .processes])
    func undecodablePayload(pool: PoolKind) async throws {
        try await RunningWorker.with(pool: pool, size: 1) { worker in
            try await worker.session { session, _ in
                try await session.send(.submit(Submit(jobID: JobID(1), kind: builtinKindID(Fibonacci.kind), payload: ByteBuffer(bytes: [0, 1]))))
                let result = try await session.result(for: JobID(1))
                guard case .failed(let failure) = result.outcome else {
                    Issue.record("expected a failure, got \(result.outcome)")
                    return
                }
                #expect(failure.code == .invalidJob)
                #expect(failure.message.contains("fibonacci.v1 input does not decode"), "\(failure.message)")
                #expect(failure.message.contains("inside n"), "\(failure.message)")
                try await session.send(.submit(.job(Fibonacci(10), id: 2)))
                #expect(try await session.result(for: JobID(2)).outcome == JobOutcome.output(Fibonacci.self, 55))
            }
        }
    }
}
