@testable import FanoutWorker
import FanoutBuiltinJobs
import FanoutJobs
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
            settings: ChildSettings(WorkerConfiguration(tlsFiles: TLSFiles.worker(directory: "unused"), kinds: BuiltinJobs.registered)),
            logger: RunningWorker.logger
        )
        async let running: Void = executor.run()
        // Its deadline passed while it waited: the dispatcher abandons it before the slot takes it.
        executor.abandon(JobID(1), in: 0, because: .timedOut)
        // Sent, it would answer ok after 30 s; answered at once as timed out, it was not sent.
        let outcome = await executor.execute(Submit.job(Sleep(.nanoseconds(30_000_000_000)), id: 1), slot: 0, origin: .unknown) {
            Issue.record("an abandoned job was started")
        }
        guard case .failed(let failure) = outcome else {
            Issue.record("expected the job to be answered as timed out, got \(outcome)")
            executor.shutdown()
            await running
            return
        }
        #expect(failure.code == .jobTimedOut)
        #expect(await executor.execute(Submit.job(Fibonacci(10), id: 2), slot: 0, origin: .unknown) {} == JobOutcome.output(Fibonacci.self, 55))
        executor.shutdown()
        await running
    }

    @Test("a child gets its parent's limits; settings that do not read are refused")
    func settings() throws {
        var configuration = WorkerConfiguration(tlsFiles: TLSFiles.worker(directory: "unused"), kinds: BuiltinJobs.registered)
        configuration.frameLimits = FrameLimits(maximumFrameLength: 1500)
        configuration.httpReadTimeout = .milliseconds(300)
        let settings = ChildSettings(configuration)
        #expect(ChildSettings(environmentValue: settings.environmentValue) == settings)
        var child = WorkerConfiguration(tlsFiles: TLSFiles.worker(directory: "unused"), kinds: BuiltinJobs.registered)
        settings.apply(to: &child)
        #expect(child.frameLimits.maximumFrameLength == 1500)
        #expect(child.httpReadTimeout == .milliseconds(300))
        for junk in ["1", "", "frame=1500", "frame=x connect=1 read=1 request=1", "frame=1 connect=1 read=1 request=1 extra=2"] {
            #expect(ChildSettings(environmentValue: junk) == nil, "\(junk)")
        }
    }

    @Test("a child whose hello lists other kinds than its parent's is refused, and the job fails saying so")
    func childOfAnotherProgram() async throws {
        // The parent runs one kind more than the `worker` binary its children are.
        try await RunningWorker.with(pool: .processes, size: 1, configure: { $0.kinds = try! JobKinds(BuiltinJobs.kinds + [Greeting.self]) }) { worker in
            try await worker.session { session, _ in
                try await session.send(.submit(.job(NoOp(), id: 1)))
                let result = try await session.result(for: JobID(1))
                guard case .failed(let failure) = result.outcome else {
                    Issue.record("expected a failure, got \(result.outcome)")
                    return
                }
                #expect(failure.message.contains("other job kinds than this worker's"), "\(failure.message)")
            }
        }
    }
}
