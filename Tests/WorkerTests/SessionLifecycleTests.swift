@testable import FanoutWorker
import FanoutBuiltinJobs
import FanoutProtocol
import FanoutTestSupport
import Foundation
import NIOCore
import NIOSSL
import Testing

@Suite("Sessions: cancel, drain, limits, heartbeats")
struct SessionLifecycleTests {
    @Test("a queued job is answered cancelled at once, without a slot; the slot then runs the next")
    func cancel() async throws {
        let folder = try TemporaryDirectory()
        let gate = try ProcessProbe.fifo(in: folder)
        try await RunningWorker.with(pool: .threads, size: 1, configure: { $0.commandPolicy = .anyExecutable }) { worker in
            try await worker.session { session, _ in
                // The running job reads the FIFO until the test writes to it: it holds the only slot for as long
                // as the test needs, however loaded the machine.
                try await session.send(
                    .submit(Submit.job(Exec(["cat", CommandArgument(gate)]), id: 1)),
                    .submit(Submit.job(NoOp(), id: 2)),
                    .submit(Submit.job(NoOp(), id: 3))
                )
                #expect(try await session.next() == .started(Started(jobID: JobID(1), attempt: 1, slot: 0)))
                try await session.send(.cancel(Cancel(jobID: JobID(2))))
                let cancelled = try await session.result(for: JobID(2))
                #expect(cancelled.outcome == .cancelled)
                #expect(cancelled.slot == nil)
                await ProcessProbe.write("done\n", to: gate)
                let results = try await session.results(2)
                guard case .ok(var output)? = results[JobID(1)]?.outcome else {
                    Issue.record("the running job did not succeed: \(String(describing: results[JobID(1)]))")
                    return
                }
                #expect(try Exec.decodeOutput(from: &output) == ExecOutcome(exitStatus: 0, signal: nil, standardOutput: Array("done\n".utf8)))
                #expect(results[JobID(3)]?.outcome == JobOutcome.empty)
                #expect(results[JobID(3)]?.slot == 0)
            }
        }
    }

    @Test("drain returns every in-flight result, refuses new jobs, then says goodbye and closes")
    func drain() async throws {
        try await RunningWorker.with(pool: .threads, size: 2) { worker in
            try await worker.session { session, _ in
                for id in 0..<8 {
                    try await session.send(.submit(Submit.job(Sleep(.nanoseconds(20_000_000)), id: UInt64(id))))
                }
                try await session.send(.drain, .submit(Submit.job(NoOp(), id: 99)))
                let results = try await session.resultsUntilGoodbye()
                #expect(results.count == 9)
                for id in 0..<8 {
                    #expect(results[JobID(UInt64(id))]?.outcome == JobOutcome.empty)
                }
                guard case .failed(let refused)? = results[JobID(99)]?.outcome else {
                    Issue.record("a job after drain should be refused")
                    return
                }
                #expect(refused.code == .shuttingDown)
                #expect(try await session.next() == nil)
            }
        }
    }

    @Test("jobs beyond slots and queue are answered queue-full")
    func queueFull() async throws {
        try await RunningWorker.with(pool: .threads, size: 1, configure: { $0.queueCapacity = 1 }) { worker in
            try await worker.session { session, _ in
                try await session.send(
                    .submit(Submit.job(Sleep(.nanoseconds(300_000_000)), id: 1)),
                    .submit(Submit.job(NoOp(), id: 2)),
                    .submit(Submit.job(NoOp(), id: 3))
                )
                let refused = try await session.result(for: JobID(3))
                guard case .failed(let failure) = refused.outcome else {
                    Issue.record("expected queue-full, got \(refused.outcome)")
                    return
                }
                #expect(failure.code == .queueFull)
                let rest = try await session.results(2)
                #expect(rest[JobID(1)]?.outcome == JobOutcome.empty)
                #expect(rest[JobID(2)]?.outcome == JobOutcome.empty)
            }
        }
    }

    @Test("a ping is answered with a pong that echoes its timestamp")
    func ping() async throws {
        try await RunningWorker.with { worker in
            try await worker.session { session, _ in
                let sentAt = WireClock.now
                try await session.send(.ping(Ping(sentAt: sentAt)))
                guard case .pong(let pong)? = try await session.next() else {
                    Issue.record("expected a pong")
                    return
                }
                #expect(pong.pingSentAt == sentAt)
                #expect(pong.receivedAt >= sentAt)
                #expect(pong.sentAt >= pong.receivedAt)
            }
        }
    }

    @Test("a job past its timeout fails; a process-pool child is killed and replaced")
    func timeout() async throws {
        try await RunningWorker.with(pool: .processes, size: 1) { worker in
            try await worker.session { session, _ in
                // A first job proves the child is up, so its pid is known.
                try await session.send(.submit(Submit.job(NoOp(), id: 0)))
                #expect(try await session.result(for: JobID(0)).outcome == JobOutcome.empty)
                let before = try #require(worker.server.childProcessIDs.first ?? nil)
                // Long enough for the job to reach its child first, however loaded the machine: a timeout that
                // fires before the child has taken the job refuses it there, and no child need die.
                try await session.send(.submit(Submit.job(Fibonacci(60), id: 1, timeoutNanoseconds: 2_000_000_000)))
                let result = try await session.result(for: JobID(1))
                guard case .failed(let failure) = result.outcome else {
                    Issue.record("expected a timeout, got \(result.outcome)")
                    return
                }
                #expect(failure.code == .jobTimedOut)
                try await session.send(.submit(Submit.job(Fibonacci(10), id: 2)))
                #expect(try await session.result(for: JobID(2)).outcome == JobOutcome.output(Fibonacci.self, 55))
                let after = try #require(worker.server.childProcessIDs.first ?? nil)
                #expect(after != before)
            }
        }
    }

    @Test("a thread-pool job past its timeout fails at once; its result, when the thread returns, is discarded")
    func threadTimeout() async throws {
        try await RunningWorker.with(pool: .threads, size: 1) { worker in
            try await worker.session { session, _ in
                try await session.send(.submit(Submit.job(Fibonacci(35), id: 1, timeoutNanoseconds: 50_000_000)))
                // The slot is the fib's until its thread returns: the next job runs after it, so any result the
                // fib gave would come before this one's.
                try await session.send(.submit(Submit.job(NoOp(), id: 2)))
                var results: [JobResult] = []
                while let message = try await session.next() {
                    guard case .result(let result) = message else { continue }
                    results.append(result)
                    if result.jobID == JobID(2) { break }
                }
                #expect(results.map(\.jobID) == [JobID(1), JobID(2)], "one answer each: the late fib result was dropped")
                guard case .failed(let failure) = results.first?.outcome else {
                    Issue.record("expected the timeout, got \(String(describing: results.first))")
                    return
                }
                #expect(failure.code == .jobTimedOut)
                #expect(results.last?.outcome == JobOutcome.empty)
            }
        }
    }

    @Test("a child killed with SIGKILL mid-job fails that job naming the signal, and a fresh child runs the next")
    func childKilled() async throws {
        try await RunningWorker.with(pool: .processes, size: 1) { worker in
            try await worker.session { session, _ in
                try await session.send(.submit(Submit.job(NoOp(), id: 0)))
                #expect(try await session.result(for: JobID(0)).outcome == JobOutcome.empty)
                try await session.send(.submit(Submit.job(Sleep(.nanoseconds(60_000_000_000)), id: 1)))
                guard case .started? = try await session.next() else {
                    Issue.record("expected started")
                    return
                }
                let victim = try #require(worker.server.childProcessIDs.first ?? nil)
                #expect(kill(victim, SIGKILL) == 0)
                let result = try await session.result(for: JobID(1))
                guard case .failed(let failure) = result.outcome else {
                    Issue.record("expected a failure, got \(result.outcome)")
                    return
                }
                #expect(failure.code == .childDied)
                #expect(failure.detail == UInt32(SIGKILL))
                #expect(failure.message.contains("SIGKILL"), "\(failure.message)")
                #expect(failure.message.contains("\(victim)"))

                try await session.send(.submit(Submit.job(PrimeCheck(7919, method: .trialDivisionToN), id: 2)))
                #expect(try await session.result(for: JobID(2)).outcome == JobOutcome.output(PrimeCheck.self, true))
                let replacement = try #require(worker.server.childProcessIDs.first ?? nil)
                #expect(replacement != victim)
            }
        }
    }

    @Test("a child that dies while idle is replaced, and the next job runs in the new child")
    func idleChildDies() async throws {
        try await RunningWorker.with(pool: .processes, size: 1) { worker in
            try await worker.session { session, _ in
                try await session.send(.submit(Submit.job(NoOp(), id: 0)))
                #expect(try await session.result(for: JobID(0)).outcome == JobOutcome.empty)
                let idle = try #require(worker.server.childProcessIDs.first ?? nil)
                #expect(kill(idle, SIGKILL) == 0)
                await ProcessState.waitUntilExited(idle)
                try await session.send(.submit(Submit.job(Fibonacci(12), id: 1)))
                #expect(try await session.result(for: JobID(1)).outcome == JobOutcome.output(Fibonacci.self, 144))
            }
        }
    }

    @Test("a child holds no socket of the worker's: not the listener, not a coordinator's connection")
    func childInheritsNoSockets() async throws {
        try await RunningWorker.with(pool: .processes, size: 1) { worker in
            try await worker.session { session, _ in
                try await session.send(.submit(Submit.job(NoOp(), id: 0)))
                _ = try await session.result(for: JobID(0))
                let child = try #require(worker.server.childProcessIDs.first ?? nil)
                let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(child)/fd")
                let sockets = descriptors.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(child)/fd/\($0)") }
                    .filter { $0.hasPrefix("socket:") }
                #expect(sockets.isEmpty, "the child holds \(sockets)")
            }
        }
    }

    @Test("a connection with nothing from its coordinator for the idle timeout is closed")
    func idleCoordinator() async throws {
        try await RunningWorker.with(configure: { $0.idleTimeout = .seconds(1) }) { worker in
            // Say nothing more; the worker closes the connection. When both cores are busy its close_notify may
            // lose the race with the close itself, which reads as an unclean shutdown or a reset, while reading
            // or while closing our side: closed either way.
            do {
                try await worker.session { session, _ in
                    let next = try await session.next()
                    #expect(next == nil)
                }
            } catch NIOSSLError.uncleanShutdown {
            } catch let error as IOError where error.errnoCode == ECONNRESET {}
        }
    }

    @Test("two coordinators at once each get their own results")
    func concurrentSessions() async throws {
        try await RunningWorker.with(pool: .threads, size: 2) { worker in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for coordinator in 0..<2 {
                    group.addTask {
                        try await worker.session { session, _ in
                            for id in 0..<20 {
                                let n = UInt32(coordinator * 100 + id) % 25
                                try await session.send(.submit(Submit.job(Fibonacci(n), id: UInt64(id))))
                            }
                            let results = try await session.results(20)
                            for id in 0..<20 {
                                let n = UInt32(coordinator * 100 + id) % 25
                                #expect(results[JobID(UInt64(id))]?.outcome == JobOutcome.output(Fibonacci.self, Fibonacci.recursive(n)))
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}
