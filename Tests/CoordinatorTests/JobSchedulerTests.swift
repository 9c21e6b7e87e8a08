@testable import FanoutCoordinator
import FanoutProtocol
import Testing

@Suite("Job scheduler: retries, crashes and late results")
struct JobSchedulerTests {
    private let a = WorkerID(rawValue: 0)
    private let b = WorkerID(rawValue: 1)
    private let c = WorkerID(rawValue: 2)

    private func scheduler(attempts: Int = 3, workers: [WorkerID]) -> JobScheduler {
        var scheduler = JobScheduler(maximumAttempts: attempts)
        for worker in workers {
            _ = scheduler.addWorker(worker, name: "w\(worker.rawValue)", credit: WorkerCredit(slots: 1, minimumPrefetch: 0, maximumPrefetch: 0))
        }
        return scheduler
    }

    private func result(_ job: JobID, attempt: UInt16) -> JobResult {
        JobResult(jobID: job, attempt: attempt, outcome: .ok(.noop), slot: 0)
    }

    @Test("a job running on every worker that breaks fails as having taken them down, naming each in order")
    func crashesEveryWorker() throws {
        var scheduler = self.scheduler(workers: [a, b, c])
        let future = AnyJobFuture(id: JobID(1), spec: .fibonacci(n: 7), canceller: nil)
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
        let future = AnyJobFuture(id: JobID(1), spec: .fibonacci(n: 7), canceller: nil)
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
        let future = AnyJobFuture(id: JobID(1), spec: .fibonacci(n: 7), canceller: nil)
        let first = try #require(scheduler.enqueue(future, timeoutNanoseconds: 0).first)
        let loss = scheduler.removeWorker(first.worker, error: "connection reset", crashed: true)
        #expect(loss.exhausted.first?.1.reason == .workersLost(lastError: "connection reset"))
    }

    @Test("a child that dies under a job sends it elsewhere, then fails it as a crash when out of attempts")
    func childDied() throws {
        var scheduler = self.scheduler(attempts: 2, workers: [a, b])
        let future = AnyJobFuture(id: JobID(1), spec: .fibonacci(n: 7), canceller: nil)
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
        let future = AnyJobFuture(id: JobID(1), spec: .noop, canceller: nil)
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
        let future = AnyJobFuture(id: JobID(1), spec: .noop, canceller: nil)
        let other = AnyJobFuture(id: JobID(2), spec: .noop, canceller: nil)
        _ = scheduler.enqueue(future, timeoutNanoseconds: 0)
        _ = scheduler.enqueue(other, timeoutNanoseconds: 0)
        let waiting = scheduler.removeWorker(a, error: "reset", crashed: true, expectingWorkers: true)
        #expect(waiting.stranded.isEmpty)
        #expect(waiting.requeued.map(\.id) == [future.id], "the held job went back to the front of the queue")
        let stranded = scheduler.strandQueued()
        #expect(stranded.map { $0.0.id } == [future.id, other.id])
        #expect(stranded.allSatisfy { $0.1.reason == .noWorkers })
    }
}
