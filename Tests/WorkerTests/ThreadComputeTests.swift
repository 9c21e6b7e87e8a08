@testable import FanoutWorker
import FanoutBuiltinJobs
import FanoutJobs
import FanoutProtocol
import FanoutTestSupport
import Foundation
import NIOCore
import Testing

@Suite("Compute jobs on the pool's threads")
struct ThreadComputeTests {
    @Test("a thread answers its job, then runs the next one queued on its slot, computed or not; a cancel answers at once")
    func chained() async throws {
        let folder = try TemporaryDirectory()
        let gate = try ProcessProbe.fifo(in: folder)
        var kinds = BuiltinJobs.registered
        try kinds.register(GatedCompute.self)
        let gated = JobKindID(rawValue: UInt16(kinds.names.firstIndex(of: GatedCompute.kind)!))
        #expect(kinds.computesOnThread(gated) && kinds.computesOnThread(builtinKindID(Fibonacci.kind)))
        #expect(!kinds.computesOnThread(builtinKindID(CodableNoOp.kind)), "a plain Job runs in its slot's task")
        try await RunningWorker.with(pool: .threads, size: 1, configure: { $0.kinds = kinds }) { worker in
            try await worker.session { session, _ in
                var payload = ByteBuffer()
                try GatedCompute(fifo: gate).encodeInput(into: &payload)
                try await session.send(.submit(Submit(jobID: JobID(1), kind: gated, payload: payload)))
                #expect(try await session.next() == .started(Started(jobID: JobID(1), attempt: 1, slot: 0)))
                // Queued behind the gate on the one slot: a computed job, a plain one, then a computed one again.
                try await session.send(.submit(Submit.job(Fibonacci(20), id: 2)))
                try await session.send(.submit(Submit.job(CodableNoOp(index: 3, label: "plain"), id: 3)))
                try await session.send(.submit(Submit.job(Fibonacci(10), id: 4)))
                try await session.send(.cancel(Cancel(jobID: JobID(1))))
                let cancelled = try await session.result(for: JobID(1))
                #expect(cancelled.outcome == .cancelled && cancelled.slot == 0)

                await ProcessProbe.write("open", to: gate)
                let fibonacci = try await session.result(for: JobID(2))
                #expect(fibonacci.outcome == JobOutcome.output(Fibonacci.self, 6765) && fibonacci.slot == 0)
                #expect(try await session.result(for: JobID(3)).outcome == JobOutcome.empty)
                #expect(try await session.result(for: JobID(4)).outcome == JobOutcome.output(Fibonacci.self, 55))
            }
        }
    }

    @Test("a computed job that throws fails naming its kind, and its slot moves on")
    func failure() async throws {
        var kinds = BuiltinJobs.registered
        try kinds.register(GatedCompute.self)
        let gated = JobKindID(rawValue: UInt16(kinds.names.firstIndex(of: GatedCompute.kind)!))
        try await RunningWorker.with(pool: .threads, size: 1, configure: { $0.kinds = kinds }) { worker in
            try await worker.session { session, _ in
                var payload = ByteBuffer()
                try GatedCompute(fifo: "").encodeInput(into: &payload)
                try await session.send(.submit(Submit(jobID: JobID(1), kind: gated, payload: payload)))
                try await session.send(.submit(Submit.job(Fibonacci(10), id: 2)))
                guard case .failed(let failure) = try await session.result(for: JobID(1)).outcome else {
                    Issue.record("a job that throws did not fail")
                    return
                }
                #expect(failure.message.contains("test.gated-compute"), "\(failure.message)")
                #expect(try await session.result(for: JobID(2)).outcome == JobOutcome.output(Fibonacci.self, 55))
            }
        }
    }
}

/// Computes until something is written to its FIFO, then answers what was written; with no FIFO, throws.
private struct GatedCompute: ComputeJob, Codable {
    typealias Output = String
    static let kind = JobKindName("test.gated-compute", version: 1)
    var fifo: String

    struct NoGate: Error {}

    func compute() throws -> String {
        guard !self.fifo.isEmpty else { throw NoGate() }
        return ProcessProbe.readAll(self.fifo)
    }
}
