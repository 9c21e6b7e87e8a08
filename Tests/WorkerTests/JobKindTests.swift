@testable import FanoutWorker
import FanoutJobRunners
import FanoutProtocol
import FanoutTestSupport
import NIOCore
import NIOPosix
import Testing

@Suite("Jobs on both pools")
struct JobKindTests {
    @Test("every job kind gives the right output", arguments: [PoolKind.threads, .processes])
    func everyKind(pool: PoolKind) async throws {
        try await FlagTestServer.with { flags in
            try await RunningWorker.with(pool: pool, size: 2) { worker in
                try await worker.session { session, hello in
                    #expect(hello.role == .worker)
                    #expect(hello.capabilities == WorkerCapabilities(poolKind: pool, slots: 2, cores: UInt16(System.coreCount)))
                    let jobs: [(JobSpec, JobOutput)] = [
                        (.primeCheck(n: 97, method: .trialDivisionToN), .primeCheck(isPrime: true)),
                        (.primeCheck(n: 91, method: .trialDivisionToSquareRoot), .primeCheck(isPrime: false)),
                        (.primeCheck(n: 18_446_744_073_709_551_557, method: .millerRabin), .primeCheck(isPrime: true)),
                        (.fibonacci(n: 20), .fibonacci(6765)),
                        (.sleep(nanoseconds: 10_000_000), .sleep),
                        (.noop, .noop),
                        (.flagDownload(country: "Chad", url: flags.url("/ok.svg")), .flagDownload(ByteBuffer(string: FlagTestServer.body))),
                        (.flagDownload(country: "Peru", url: flags.url("/redirect.svg")), .flagDownload(ByteBuffer(string: FlagTestServer.body))),
                        (
                            .batch([.primeCheck(n: 91, method: .trialDivisionToSquareRoot), .fibonacci(n: 12), .noop]),
                            .batch([.ok(.primeCheck(isPrime: false)), .ok(.fibonacci(144)), .ok(.noop)])
                        ),
                        (
                            .batch([.noop, .flagDownload(country: "Chad", url: flags.url("/ok.svg")), .sleep(nanoseconds: 1_000)]),
                            .batch([.ok(.noop), .ok(.flagDownload(ByteBuffer(string: FlagTestServer.body))), .ok(.sleep)])
                        ),
                    ]
                    for (index, job) in jobs.enumerated() {
                        try await session.send(.submit(Submit(jobID: JobID(UInt64(index)), attempt: 2, spec: job.0)))
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
                    for (index, job) in jobs.enumerated() {
                        let result = try #require(results[JobID(UInt64(index))])
                        #expect(result.outcome == .ok(job.1), "\(job.0)")
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
                    try await session.send(.submit(Submit(jobID: JobID(1), spec: .flagDownload(country: "Atlantis", url: flags.url("/missing.svg")))))
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
                        .submit(Submit(jobID: JobID(1), timeoutNanoseconds: 100_000_000, spec: .flagDownload(country: "Nowhere", url: url))),
                        .submit(Submit(jobID: JobID(2), spec: .flagDownload(country: "Nowhere", url: url)))
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

    @Test("a batch whose result would not fit a frame fails alone, saying so")
    func oversizedBatch() async throws {
        let threads = NIOThreadPool(numberOfThreads: 1)
        threads.start()
        let client = FlagDownloader.makeClient(connectTimeout: .seconds(1), readTimeout: .seconds(1))
        let runner = JobRunner(
            threads: threads,
            flags: FlagDownloader(client: client, maximumBodySize: 1024, requestTimeout: .seconds(1)),
            limits: FrameLimits(maximumFrameLength: 1024)
        )
        // 1,000 no-ops are 1,000 bytes of submit but 2,000 of result.
        let outcome = await runner.run(.batch(Array(repeating: .noop, count: 1_000)))
        let small = await runner.run(.batch(Array(repeating: .noop, count: 100)))
        try await client.shutdown()
        try await threads.shutdownGracefully()
        guard case .failed(let failure) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(failure.message.contains("batch of 1000 jobs cannot be sent"), "\(failure)")
        #expect(failure.message.contains("1024"), "\(failure)")
        #expect(small == .ok(.batch(Array(repeating: .ok(.noop), count: 100))))
    }

    @Test("a URL that is not http(s) is an invalid job")
    func badURL() async throws {
        try await RunningWorker.with(pool: .threads, size: 1) { worker in
            try await worker.session { session, _ in
                try await session.send(.submit(Submit(jobID: JobID(1), spec: .flagDownload(country: "X", url: "ftp://example/x.svg"))))
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
