@testable import FanoutWorker
import FanoutBuiltinJobs
import FanoutProtocol
import Testing

@Suite("Process pool")
struct ProcessPoolExecutorTests {
    @Test("a job abandoned before it reaches its child is answered as timed out and never runs")
    func abandonedBeforeStart() async throws {
        let executor = ProcessPoolExecutor(
            size: 1,
            command: ChildCommand(executable: RunningWorker.workerBinary, arguments: []),
            kinds: BuiltinJobs.registered.names,
            limits: .default,
            logger: RunningWorker.logger
        )
        async let running: Void = executor.run()
        // Its deadline passed while it waited: the dispatcher abandons it before the slot takes it.
        executor.abandon(JobID(1), in: 0)
        // Sent, it would answer ok after 30 s; answered at once as timed out, it was not sent.
        let outcome = await executor.execute(Submit.job(Sleep(.nanoseconds(30_000_000_000)), id: 1), slot: 0) {
            Issue.record("an abandoned job was started")
        }
        guard case .failed(let failure) = outcome else {
            Issue.record("expected the job to be answered as timed out, got \(outcome)")
            executor.shutdown()
            await running
            return
        }
        #expect(failure.code == .jobTimedOut)
        #expect(await executor.execute(Submit.job(Fibonacci(10), id: 2), slot: 0) {} == JobOutcome.output(Fibonacci.self, 55))
        executor.shutdown()
        await running
    }
}
