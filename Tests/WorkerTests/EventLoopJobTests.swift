@testable import FanoutWorker
import FanoutBuiltinJobs
import FanoutJobs
import FanoutProtocol
import FanoutTestSupport
import Foundation
import NIOCore
import Testing

@Suite("Jobs on their connection's event loop")
struct EventLoopJobTests {
    @Test("event-loop jobs run on their connection's loop and answer in turn, thousands queued on one slot behind a computed job")
    func chained() async throws {
        let folder = try TemporaryDirectory()
        let gate = try ProcessProbe.fifo(in: folder)
        var kinds = BuiltinJobs.registered
        try kinds.register(GatedCompute.self)
        try kinds.register(LoopProbe.self)
        let gated = Self.kindID(GatedCompute.kind, in: kinds)
        let probe = Self.kindID(LoopProbe.kind, in: kinds)
        #expect(kinds.runsOnEventLoop(probe) && kinds.runsOnEventLoop(builtinKindID(Sleep.kind)))
        #expect(kinds.runsOnEventLoop(builtinKindID(NoOp.kind)))
        #expect(!kinds.runsOnEventLoop(gated) && !kinds.runsOnEventLoop(builtinKindID(CodableNoOp.kind)))
        // Enough that answering each job from the one before it, on one stack, would overflow it.
        let count: UInt64 = 5000
        let configure: (inout WorkerConfiguration) -> Void = { configuration in
            configuration.kinds = kinds
            configuration.queueCapacity = Int(count) + 2
        }
        try await RunningWorker.with(pool: .threads, size: 1, configure: configure) { worker in
            try await worker.session { session, _ in
                var gatePayload = ByteBuffer()
                try GatedCompute(fifo: gate).encodeInput(into: &gatePayload)
                try await session.send(.submit(Submit(jobID: JobID(1), kind: gated, payload: gatePayload)))
                #expect(try await session.next() == .started(Started(jobID: JobID(1), attempt: 1, slot: 0)))
                for id in 2...(count + 1) {
                    var payload = ByteBuffer()
                    try LoopProbe(fails: id == 3).encodeInput(into: &payload)
                    try await session.send(.submit(Submit(jobID: JobID(id), kind: probe, payload: payload)))
                }
                try await session.send(.submit(Submit.job(Sleep(.milliseconds(20)), id: count + 2)))
                try await session.send(.submit(Submit.job(Fibonacci(10), id: count + 3)))
                await ProcessProbe.write("open", to: gate)
                #expect(try await session.result(for: JobID(1)).outcome == JobOutcome.output(GatedCompute.self, "open"))

                var order: [UInt64] = []
                var outcomes: [UInt64: JobOutcome] = [:]
                while order.count < count + 2 {
                    guard case .result(let result) = try await session.next() else { continue }
                    order.append(result.jobID.rawValue)
                    outcomes[result.jobID.rawValue] = result.outcome
                    #expect(result.slot == 0)
                }
                #expect(order == Array(2...(count + 3)), "one slot answers its queue in order")
                #expect(outcomes[2] == JobOutcome.output(LoopProbe.self, "on its loop"))
                guard case .failed(let failure) = outcomes[3] else {
                    Issue.record("a job whose future fails did not fail: \(String(describing: outcomes[3]))")
                    return
                }
                #expect(failure.code == .jobFailed && failure.message.contains("test.loop-probe"), "\(failure.message)")
                #expect(outcomes[count + 1] == JobOutcome.output(LoopProbe.self, "on its loop"))
                #expect(outcomes[count + 2] == JobOutcome.empty)
                #expect(outcomes[count + 3] == JobOutcome.output(Fibonacci.self, 55))
            }
        }
    }

    @Test("a sleep on the loop holds its slot for its duration; with a timeout it runs in a task, which the timeout stops")
    func sleep() async throws {
        try await RunningWorker.with(pool: .threads, size: 1) { worker in
            try await worker.session { session, _ in
                try await session.send(.submit(Submit.job(Sleep(.milliseconds(50)), id: 1)))
                try await session.send(.submit(Submit.job(NoOp(), id: 2)))
                var results: [JobResult] = []
                while results.count < 2 {
                    if case .result(let result) = try await session.next() { results.append(result) }
                }
                #expect(results.map(\.jobID) == [JobID(1), JobID(2)], "the no-op waits for the sleep's slot")
                #expect(results[0].outcome == JobOutcome.empty)
                #expect(results[0].runNanoseconds >= 50_000_000, "ran \(results[0].runNanoseconds) ns")

                try await session.send(.submit(Submit.job(Sleep(.seconds(60)), id: 3, timeoutNanoseconds: 50_000_000)))
                try await session.send(.submit(Submit.job(NoOp(), id: 4)))
                guard case .failed(let failure) = try await session.result(for: JobID(3)).outcome else {
                    Issue.record("a sleep past its timeout did not fail")
                    return
                }
                #expect(failure.code == .jobTimedOut)
                // The slot frees once the cancelled sleep returns, long before its 60 s.
                #expect(try await session.result(for: JobID(4)).outcome == JobOutcome.empty)
            }
        }
    }

    private static func kindID(_ name: JobKindName, in kinds: JobKinds) -> JobKindID {
        JobKindID(rawValue: UInt16(kinds.names.firstIndex(of: name)!))
    }
}

/// Says whether it was started on the loop it was given; or fails.
private struct LoopProbe: EventLoopJob, Codable {
    typealias Output = String
    static let kind = JobKindName("test.loop-probe", version: 1)
    var fails: Bool

    struct Failed: Error {}

    /// Complete before it returns: the worker must still not answer the next job from inside this one.
    func run(on eventLoop: any EventLoop) -> EventLoopFuture<String> {
        guard !self.fails else { return eventLoop.makeFailedFuture(Failed()) }
        return eventLoop.makeSucceededFuture(eventLoop.inEventLoop ? "on its loop" : "elsewhere")
    }
}

/// Computes until something is written to its FIFO, then answers what was written.
private struct GatedCompute: ComputeJob, Codable {
    typealias Output = String
    static let kind = JobKindName("test.loop-gate", version: 1)
    var fifo: String

    func compute() throws -> String {
        ProcessProbe.readAll(self.fifo)
    }
}
