@testable import FanoutCoordinator
import FanoutBuiltinJobs
import FanoutProtocol
import NIOCore
import Testing

@Suite("Job scheduler: retries, crashes and late results")
struct JobSchedulerTests {
    private let a = WorkerID(rawValue: 0)
    private let b = WorkerID(rawValue: 1)
    private let c = WorkerID(rawValue: 2)

    private func scheduler(attempts: Int = 3, workers: [WorkerID]) -> JobScheduler {
        var scheduler = JobScheduler(maximumAttempts: attempts)
        for worker in workers {
            _ = scheduler.addWorker(worker, name: "w\(worker.rawValue)", kinds: BuiltinJobs.registered.names, credit: WorkerCredit(slots: 1, minimumPrefetch: 0, maximumPrefetch: 0))
        }
        return scheduler
    }

    private func result(_ job: JobID, attempt: UInt16) -> JobResult {
        JobResult(jobID: job, attempt: attempt, outcome: JobOutcome.empty, slot: 0)
    }

    @Test("a job running on every worker that breaks fails as having taken them down, naming each in order")
    func crashesEveryWorker() throws {
        var scheduler = self.scheduler(workers: [a, b, c])
        let future = AnyJobFuture.make(id: JobID(1), kind: Fibonacci.kind)
        var assignment = try #require(scheduler.enqueue(future, timeoutNanoseconds: 0).first)
        var failure: JobError?
        for _ in 0..<3 {
            _ = scheduler.started(future.id, attempt: assignment.submit.attempt, on: assignment.worker)
            let loss = scheduler.removeWorker(assignment.worker, error: "connection reset", crashed: true)
            if let (failed, error) = loss.exhausted.first {
                #expect(failed === future)
                failure = error
                break
            }
            assignment = try #require(loss.assignments.first)
        }
        let error = try #require(failure)
        #expect(error.reason == .crashedWorkers(["w0", "w1", "w2"]))
        #expect(error.attempts == 3)
        #expect(scheduler.retries == 2)
    }

    @Test("one loss by silence makes it a lost-worker failure, not a crash")
    func silenceIsNotACrash() throws {
        var scheduler = self.scheduler(attempts: 2, workers: [a, b])
        let future = AnyJobFuture.make(id: JobID(1), kind: Fibonacci.kind)
        let first = try #require(scheduler.enqueue(future, timeoutNanoseconds: 0).first)
        _ = scheduler.started(future.id, attempt: first.submit.attempt, on: first.worker)
        let second = try #require(scheduler.removeWorker(first.worker, error: "no answer to heartbeats", crashed: false).assignments.first)
        _ = scheduler.started(future.id, attempt: second.submit.attempt, on: second.worker)
        let loss = scheduler.removeWorker(second.worker, error: "connection reset", crashed: true)
        #expect(loss.exhausted.first?.1.reason == .workersLost(lastError: "connection reset"))
    }

    @Test("a job lost before it started does not count as having crashed its worker")
    func queuedJobsAreNotCasualties() throws {
        var scheduler = self.scheduler(attempts: 1, workers: [a, b])
        let future = AnyJobFuture.make(id: JobID(1), kind: Fibonacci.kind)
        let first = try #require(scheduler.enqueue(future, timeoutNanoseconds: 0).first)
        let loss = scheduler.removeWorker(first.worker, error: "connection reset", crashed: true)
        #expect(loss.exhausted.first?.1.reason == .workersLost(lastError: "connection reset"))
    }

    @Test("a child that dies under a job sends it elsewhere, then fails it as a crash when out of attempts")
    func childDied() throws {
        var scheduler = self.scheduler(attempts: 2, workers: [a, b])
        let future = AnyJobFuture.make(id: JobID(1), kind: Fibonacci.kind)
        let first = try #require(scheduler.enqueue(future, timeoutNanoseconds: 0).first)
        guard case .retried(let retried?, let assignments) = scheduler.crashed(future.id, attempt: 1, on: first.worker, error: "killed") else {
            Issue.record("the first crash should retry the job")
            return
        }
        #expect(retried === future)
        let second = try #require(assignments.first)
        #expect(second.submit.attempt == 2)
        guard case .exhausted(_, let error, _) = scheduler.crashed(future.id, attempt: 2, on: second.worker, error: "killed") else {
            Issue.record("the second crash should fail the job")
            return
        }
        #expect(error.reason == .crashedWorkers([first.worker, second.worker].map { "w\($0.rawValue)" }))
    }

    @Test("answers from a superseded attempt or a lost worker are dropped and counted; the current one resolves")
    func lateResults() throws {
        var scheduler = self.scheduler(workers: [a, b])
        let future = AnyJobFuture.make(id: JobID(1), kind: NoOp.kind)
        let first = try #require(scheduler.enqueue(future, timeoutNanoseconds: 0).first)
        let second = try #require(scheduler.removeWorker(first.worker, error: "silent", crashed: false).assignments.first)

        let (late, _) = scheduler.answered(self.result(future.id, attempt: 1), on: first.worker, at: 0)
        #expect(late == nil)
        let (wrongAttempt, _) = scheduler.answered(self.result(future.id, attempt: 1), on: second.worker, at: 0)
        #expect(wrongAttempt == nil)
        let (current, _) = scheduler.answered(self.result(future.id, attempt: 2), on: second.worker, at: 0)
        #expect(current === future)
        let (again, _) = scheduler.answered(self.result(future.id, attempt: 2), on: second.worker, at: 0)
        #expect(again == nil)
        #expect(scheduler.lateResultsDropped == 3)
        #expect(scheduler.retries == 1)
    }

    @Test("with workers expected back, the queue waits; with none, it fails")
    func stranding() throws {
        var scheduler = self.scheduler(workers: [a])
        let future = AnyJobFuture.make(id: JobID(1), kind: NoOp.kind)
        let other = AnyJobFuture.make(id: JobID(2), kind: NoOp.kind)
        _ = scheduler.enqueue(future, timeoutNanoseconds: 0)
        _ = scheduler.enqueue(other, timeoutNanoseconds: 0)
        let waiting = scheduler.removeWorker(a, error: "reset", crashed: true, expectedKinds: [NoOp.kind])
        #expect(waiting.stranded.isEmpty)
        #expect(waiting.requeued.map(\.id) == [future.id], "the held job went back to the front of the queue")
        let stranded = scheduler.strandUnrunnable(expectedKinds: [])
        #expect(stranded.map { $0.0.id } == [future.id, other.id])
        #expect(stranded.allSatisfy { $0.1.reason == .noWorkers })
    }

    @Test("each job goes only to a worker that runs its kind, by that worker's number for it")
    func routing() throws {
        var scheduler = JobScheduler(maximumAttempts: 3)
        let credit = WorkerCredit(slots: 4, minimumPrefetch: 0, maximumPrefetch: 0)
        _ = scheduler.addWorker(a, name: "a", kinds: [NoOp.kind, Sleep.kind], credit: credit)
        _ = scheduler.addWorker(b, name: "b", kinds: [Fibonacci.kind], credit: credit)
        let sleep = AnyJobFuture.make(id: JobID(1), kind: Sleep.kind)
        let fib = AnyJobFuture.make(id: JobID(2), kind: Fibonacci.kind)
        let sent = scheduler.enqueue(sleep, timeoutNanoseconds: 0) + scheduler.enqueue(fib, timeoutNanoseconds: 0)
        #expect(sent.map(\.worker) == [a, b])
        #expect(sent.map(\.submit.kind.rawValue) == [1, 0])
        let (runsFibonacci, runsPrimes) = (scheduler.runs(Fibonacci.kind), scheduler.runs(PrimeCheck.kind))
        #expect(runsFibonacci)
        #expect(!runsPrimes)
    }

    @Test("a full worker that runs a kind holds that kind's jobs back, not the other kinds'")
    func noHeadOfLineBlocking() throws {
        var scheduler = JobScheduler(maximumAttempts: 3)
        let one = WorkerCredit(slots: 1, minimumPrefetch: 0, maximumPrefetch: 0)
        _ = scheduler.addWorker(a, name: "a", kinds: [Sleep.kind], credit: one)
        _ = scheduler.addWorker(b, name: "b", kinds: [NoOp.kind], credit: one)
        let jobs = [Sleep.kind, Sleep.kind, NoOp.kind].enumerated().map { index, kind in
            AnyJobFuture.make(id: JobID(UInt64(index + 1)), kind: kind)
        }
        let sent = jobs.flatMap { scheduler.enqueue($0, timeoutNanoseconds: 0) }
        #expect(sent.map(\.future.id) == [JobID(1), JobID(3)], "the no-op passes the sleep waiting for a")
        #expect(scheduler.queuedCount == 1)
    }

    @Test("when the last worker that runs a kind is lost, that kind's queued jobs fail naming the kind; others wait")
    func strandingByKind() throws {
        var scheduler = JobScheduler(maximumAttempts: 3)
        let one = WorkerCredit(slots: 1, minimumPrefetch: 0, maximumPrefetch: 0)
        _ = scheduler.addWorker(a, name: "a", kinds: [Sleep.kind, NoOp.kind], credit: one)
        _ = scheduler.addWorker(b, name: "b", kinds: [NoOp.kind], credit: one)
        let jobs = [Sleep.kind, Sleep.kind, NoOp.kind, NoOp.kind].enumerated().map { index, kind in
            AnyJobFuture.make(id: JobID(UInt64(index + 1)), kind: kind)
        }
        for job in jobs { _ = scheduler.enqueue(job, timeoutNanoseconds: 0) }
        let loss = scheduler.removeWorker(a, error: "reset", crashed: false)
        #expect(loss.requeued.isEmpty, "the sleep a held is not retried only to be stranded")
        #expect(loss.stranded.map { $0.0.id } == [JobID(1), JobID(2)])
        #expect(loss.stranded.allSatisfy { $0.1.reason == .kindNotRun(Sleep.kind, workers: ["b": [NoOp.kind]]) })
        #expect("\(loss.stranded[0].1)".contains("no worker runs sleep.v1: b runs no version of sleep"))
        #expect(loss.assignments.isEmpty, "b still holds the first no-op")
        #expect(scheduler.queuedCount == 1, "the second no-op waits for b")
    }

    @Test("a held job whose kind no worker left runs is stranded, not counted as retried")
    func heldJobOfAKindNoLongerRun() throws {
        var scheduler = JobScheduler(maximumAttempts: 3)
        let one = WorkerCredit(slots: 1, minimumPrefetch: 0, maximumPrefetch: 0)
        _ = scheduler.addWorker(a, name: "a", kinds: [Sleep.kind], credit: one)
        _ = scheduler.addWorker(b, name: "b", kinds: [NoOp.kind], credit: one)
        let sleep = AnyJobFuture.make(id: JobID(1), kind: Sleep.kind)
        #expect(scheduler.enqueue(sleep, timeoutNanoseconds: 0).map(\.worker) == [a])
        let loss = scheduler.removeWorker(a, error: "reset", crashed: true)
        #expect(loss.requeued.isEmpty)
        #expect(loss.exhausted.isEmpty)
        #expect(loss.stranded.map { $0.0.id } == [JobID(1)])
        #expect(loss.stranded.first?.1.reason == .kindNotRun(Sleep.kind, workers: ["b": [NoOp.kind]]))
        #expect(scheduler.retries == 0)
    }

    @Test("a kind only a worker lists gets no queue until a job of it is submitted")
    func lazyNumbering() throws {
        var scheduler = JobScheduler(maximumAttempts: 3)
        let credit = WorkerCredit(slots: 2, minimumPrefetch: 0, maximumPrefetch: 0)
        _ = scheduler.addWorker(a, name: "a", kinds: (0..<1_000).map { JobKindName("k\($0)", version: 1) }, credit: credit)
        let late = AnyJobFuture.make(id: JobID(1), kind: JobKindName("k999", version: 1))
        let sent = scheduler.enqueue(late, timeoutNanoseconds: 0)
        #expect(sent.map(\.worker) == [a])
        #expect(sent.first?.submit.kind == JobKindID(rawValue: 999), "numbered as a's hello numbers it")
    }
}
