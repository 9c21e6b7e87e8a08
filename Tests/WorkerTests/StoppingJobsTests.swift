@testable import FanoutWorker
import FanoutBuiltinJobs
import FanoutJobs
import FanoutProtocol
import FanoutTestSupport
import Foundation
import NIOCore
import Testing
import X509

@Suite("Stopping running jobs: a cancel, or the end of their session")
struct StoppingJobsTests {
    /// A command that starts a child of its own, writes both pids to `fifo`, and waits.
    static func groupOfTwo(writingTo fifo: String) -> Exec {
        Exec([CommandArgument(ProcessProbe.groupOfTwo(writingTo: fifo))], shell: true)
    }

    @Test("a cancel answers a running command at once with its slot, and kills its whole group", arguments: [PoolKind.threads, .processes])
    func cancelKillsGroup(pool: PoolKind) async throws {
        let folder = try TemporaryDirectory()
        let fifo = try ProcessProbe.fifo(in: folder)
        try await RunningWorker.with(pool: pool, size: 1, configure: { $0.commandPolicy = .anyExecutable }) { worker in
            try await worker.session { session, _ in
                try await session.send(.submit(Submit.job(Self.groupOfTwo(writingTo: fifo), id: 1)))
                let pids = await ProcessProbe.processIDs(from: fifo)
                try #require(pids.count == 2)
                try await session.send(.cancel(Cancel(jobID: JobID(1))))
                let result = try await session.result(for: JobID(1))
                #expect(result.outcome == .cancelled)
                #expect(result.slot == 0)
                for pid in pids {
                    #expect(await ProcessProbe.dies(pid), "process \(pid) outlived the cancel")
                }
                // The slot is free again.
                try await session.send(.submit(Submit.job(NoOp(), id: 2)))
                #expect(try await session.result(for: JobID(2)).outcome == JobOutcome.empty)
            }
        }
    }

    @Test("a connection that closes kills the commands its jobs were running", arguments: [PoolKind.threads, .processes])
    func closedSessionKillsGroup(pool: PoolKind) async throws {
        let folder = try TemporaryDirectory()
        let fifo = try ProcessProbe.fifo(in: folder)
        try await RunningWorker.with(pool: pool, size: 1, configure: { $0.commandPolicy = .anyExecutable }) { worker in
            let pids = try await worker.session { session, _ in
                try await session.send(.submit(Submit.job(Self.groupOfTwo(writingTo: fifo), id: 1)))
                return await ProcessProbe.processIDs(from: fifo)
            }
            // The session is over: its connection closed without a goodbye, as when a coordinator dies.
            try #require(pids.count == 2)
            for pid in pids {
                #expect(await ProcessProbe.dies(pid), "process \(pid) outlived its coordinator's connection")
            }
        }
    }

    @Test("a running job that cannot be stopped is still answered cancelled at once, with its slot")
    func cancelUnstoppable() async throws {
        try await RunningWorker.with(pool: .threads, size: 1) { worker in
            try await worker.session { session, _ in
                try await session.send(.submit(Submit.job(Sleep(.seconds(30)), id: 1)))
                #expect(try await session.next() == .started(Started(jobID: JobID(1), attempt: 1, slot: 0)))
                try await session.send(.cancel(Cancel(jobID: JobID(1))))
                let result = try await session.result(for: JobID(1))
                #expect(result.outcome == .cancelled)
                #expect(result.slot == 0)
                #expect(result.runNanoseconds < 30_000_000_000)
            }
        }
    }

    @Test("a job's context names its coordinator by the subject of the certificate it presented")
    func requester() async throws {
        let kinds = try JobKinds([WhoAsked.self])
        try await RunningWorker.with(configure: { $0.kinds = kinds }) { worker in
            let expected = try Certificate(
                pemEncoded: String(contentsOfFile: worker.cluster.certificates.coordinatorFiles.certificate, encoding: .utf8)
            ).subject.description
            #expect(expected.contains("CN="))
            try await worker.session { session, _ in
                var payload = ByteBuffer()
                try WhoAsked().encodeInput(into: &payload)
                try await session.send(.submit(Submit(jobID: JobID(1), kind: JobKindID(rawValue: 0), payload: payload)))
                #expect(try await session.result(for: JobID(1)).outcome == JobOutcome.output(WhoAsked.self, expected))
            }
        }
    }
}

/// Answers with the requester its context names.
private struct WhoAsked: Job, Codable {
    static let kind = JobKindName("test.who-asked", version: 1)

    func run(in context: JobContext) async throws -> String {
        context.requester ?? ""
    }
}
