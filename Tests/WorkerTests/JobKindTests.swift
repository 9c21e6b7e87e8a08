@testable import FanoutWorker
import FanoutBuiltinJobs
import FanoutJobs
import FanoutProtocol
import FanoutTestSupport
import NIOCore
import NIOPosix
import Testing

@Suite("Jobs on both pools")
struct JobKindTests {
    @Test("every built-in kind, and batches of each, give the right output", arguments: [PoolKind.threads, .processes])
    func everyKind(pool: PoolKind) async throws {
        try await FlagTestServer.with { flags in
            try await RunningWorker.with(pool: pool, size: 2) { worker in
                try await worker.session { session, hello in
                    #expect(hello.role == .worker)
                    #expect(
                        hello.capabilities
                            == WorkerCapabilities(poolKind: pool, slots: 2, cores: UInt16(System.coreCount), kinds: BuiltinJobs.registered.names)
                    )
                    let flag = ByteBuffer(string: FlagTestServer.body)
                    let jobs: [(Submit, JobOutcome)] = [
                        (.job(PrimeCheck(97, method: .trialDivisionToN), id: 0, attempt: 2), .output(PrimeCheck.self, true)),
                        (.job(PrimeCheck(91, method: .trialDivisionToSquareRoot), id: 1, attempt: 2), .output(PrimeCheck.self, false)),
                        (.job(PrimeCheck(18_446_744_073_709_551_557, method: .millerRabin), id: 2, attempt: 2), .output(PrimeCheck.self, true)),
                        (.job(Fibonacci(20), id: 3, attempt: 2), .output(Fibonacci.self, 6765)),
                        (.job(Sleep(.milliseconds(10)), id: 4, attempt: 2), .empty),
                        (.job(NoOp(), id: 5, attempt: 2), .empty),
                        (.job(FlagDownload(country: "Chad", url: flags.url("/ok.svg")), id: 6, attempt: 2), .output(FlagDownload.self, flag)),
                        (.job(FlagDownload(country: "Peru", url: flags.url("/redirect.svg")), id: 7, attempt: 2), .output(FlagDownload.self, flag)),
                        (
                            .job(try JobBatch([Fibonacci(12), Fibonacci(94), Fibonacci(10)]), id: 8, attempt: 2),
                            .output(
                                JobBatch<Fibonacci>.self,
                                [
                                    .success(144),
                                    .failure(JobFailure(code: .invalidJob, message: "fibonacci(94) does not fit 64 bits; n is at most 93")),
                                    .success(55),
                                ]
                            )
                        ),
                        (
                            .job(try JobBatch([FlagDownload(country: "Chad", url: flags.url("/ok.svg"))]), id: 9, attempt: 2),
                            .output(JobBatch<FlagDownload>.self, [.success(flag)])
                        ),
                        (.job(try JobBatch([NoOp(), NoOp()]), id: 10, attempt: 2), .output(JobBatch<NoOp>.self, [.success(()), .success(())])),
                    ]
                    for job in jobs {
                        try await session.send(.submit(job.0))
                    }
                    var results: [JobID: JobResult] = [:]
                    while results.count < jobs.count {
                        switch try await session.next() {
                        case .started(let start)?:
                            #expect(start.attempt == 2)
                            #expect(start.slot < 2)
                            #expect(results[start.jobID] == nil, "started of \(start.jobID) after its result")
                        case .result(let result)?:
                            // A started not yet written when the result came is left out: the result says it.
                            results[result.jobID] = result
                        case let other:
                            Issue.record("unexpected \(String(describing: other))")
                            return
                        }
                    }
                    for job in jobs {
                        let result = try #require(results[job.0.jobID])
                        #expect(result.outcome == job.1, "\(job.0.jobID)")
                        #expect(result.attempt == 2)
                        #expect(result.slot.map { $0 < 2 } == true)
                    }
                }
            }
        }
    }

    @Test("a flag download that gets 404 fails with the status", arguments: [PoolKind.threads, .processes])
    func notFound(pool: PoolKind) async throws {
        try await FlagTestServer.with { flags in
            try await RunningWorker.with(pool: pool, size: 1) { worker in
                try await worker.session { session, _ in
                    try await session.send(.submit(Submit.job(FlagDownload(country: "Atlantis", url: flags.url("/missing.svg")), id: 1)))
                    let result = try await session.result(for: JobID(1))
                    guard case .failed(let failure) = result.outcome else {
                        Issue.record("expected a failure, got \(result.outcome)")
                        return
                    }
                    #expect(failure.code == .httpStatus)
                    #expect(failure.detail == 404)
                    #expect(failure.message.contains("Atlantis"))
                    #expect(failure.message.contains("404"))
                }
            }
        }
    }

    @Test("a server that never answers: the job's timeout, or the client's read timeout, ends the download")
    func hangingServer() async throws {
        try await FlagTestServer.with { flags in
            try await RunningWorker.with(pool: .threads, size: 2, configure: { $0.httpReadTimeout = .milliseconds(300) }) { worker in
                try await worker.session { session, _ in
                    let url = flags.url("/hang.svg")
                    try await session.send(
                        .submit(Submit.job(FlagDownload(country: "Nowhere", url: url), id: 1, timeoutNanoseconds: 100_000_000)),
                        .submit(Submit.job(FlagDownload(country: "Nowhere", url: url), id: 2))
                    )
                    let results = try await session.results(2)
                    guard case .failed(let timedOut)? = results[JobID(1)]?.outcome,
                        case .failed(let readTimeout)? = results[JobID(2)]?.outcome
                    else {
                        Issue.record("expected two failures, got \(results)")
                        return
                    }
                    #expect(timedOut.code == .jobTimedOut)
                    #expect(timedOut.message.contains("100 ms"))
                    #expect(readTimeout.code == .networkError)
                    #expect(readTimeout.message.contains("Nowhere"))
                }
            }
        }
    }

    @Test("a batch whose result would not fit a frame fails alone, saying so; a child has its parent's limit", arguments: [PoolKind.threads, .processes])
    func oversizedBatch(pool: PoolKind) async throws {
        // 1,000 no-ops are about 1,000 bytes of submit but 2,000 of result.
        try await RunningWorker.with(pool: pool, size: 1, configure: { $0.frameLimits = FrameLimits(maximumFrameLength: 1500) }) { worker in
            try await worker.session { session, _ in
                try await session.send(
                    .submit(.job(try JobBatch(Array(repeating: NoOp(), count: 1_000)), id: 1)),
                    .submit(.job(try JobBatch(Array(repeating: NoOp(), count: 100)), id: 2))
                )
                let results = try await session.results(2)
                guard case .failed(let failure)? = results[JobID(1)]?.outcome else {
                    Issue.record("expected a failure, got \(String(describing: results[JobID(1)]))")
                    return
                }
                #expect(failure.message.contains("noop.batch.v1 output is"), "\(failure)")
                #expect(failure.message.contains("use smaller batches"), "\(failure)")
                #expect(results[JobID(2)]?.outcome == .output(JobBatch<NoOp>.self, Array(repeating: .success(()), count: 100)))
            }
        }
    }

    @Test("a URL that is not http(s) is an invalid job")
    func badURL() async throws {
        try await RunningWorker.with(pool: .threads, size: 1) { worker in
            try await worker.session { session, _ in
                try await session.send(.submit(Submit.job(FlagDownload(country: "X", url: "ftp://example/x.svg"), id: 1)))
                let result = try await session.result(for: JobID(1))
                guard case .failed(let failure) = result.outcome else {
                    Issue.record("expected a failure, got \(result.outcome)")
                    return
                }
                #expect(failure.code == .invalidJob)
                #expect(failure.message.contains("ftp://example/x.svg"))
            }
        }
    }
}
