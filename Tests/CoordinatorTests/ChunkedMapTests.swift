@testable import FanoutCoordinator
import FanoutBuiltinJobs
import FanoutJobs
import FanoutProtocol
import Testing

/// `map(chunksize:)` and ``JobBatch``, against real workers of both pool kinds.
@Suite("map in chunks")
struct ChunkedMapTests {
    @Test("chunked map gives every output in input order, one job per chunk", arguments: [PoolKind.threads, .processes])
    func chunkedOrder(pool: PoolKind) async throws {
        try await LocalCluster.with(workers: 2, pool: pool, size: 2) { cluster, _ in
            let numbers = (0..<1_003).map { UInt64($0) }
            var outputs: [Bool] = []
            for try await isPrime in cluster.map(numbers, chunksize: 100, { PrimeCheck($0, method: .trialDivisionToSquareRoot) }) {
                outputs.append(isPrime)
            }
            let expected = numbers.map { n in n >= 2 && (2..<n).allSatisfy { n % $0 != 0 } }
            #expect(outputs == expected)
            #expect(outputs.filter { $0 }.count == 168)
            #expect(cluster.submittedCount == 11)
        }
    }

    @Test("a failed job in a chunk fails alone: the map throws at it, naming its batch and place")
    func chunkedFailure() async throws {
        try await LocalCluster.with { cluster, _ in
            let inputs = [2, 3, 4, -1, 5, 7]
            var outputs: [UInt64] = []
            let error = await #expect(throws: JobError.self) {
                for try await value in cluster.map(inputs, chunksize: 4, { (n: Int) in Fibonacci(n < 0 ? 94 : UInt32(n)) }) {
                    outputs.append(value)
                }
            }
            #expect(outputs == [1, 2, 3])
            #expect(error?.kind == Fibonacci.kind)
            #expect(error?.batchIndex == 3)
            #expect(error?.job == JobID(1))
            #expect(error.map { "\($0)" }?.contains("job 1 item 3 (fibonacci.v1)") == true, "\(String(describing: error))")
        }
    }

    @Test("a batch answers each job on its own")
    func batchOutcomes() async throws {
        try await LocalCluster.with { cluster, _ in
            let batch = try JobBatch([Fibonacci(10), Fibonacci(94), Fibonacci(12)])
            let future = try cluster.submit(batch)
            let outcomes = try await future.value
            #expect(outcomes.count == 3)
            #expect(try outcomes[0].get() == 55)
            #expect(throws: JobFailure.self) { try outcomes[1].get() }
            #expect(try outcomes[2].get() == 144)
            #expect(future.erased.attempts == 1)
        }
    }

    @Test("a batch must hold jobs, and no batch")
    func batchValidation() throws {
        #expect { try JobBatch<NoOp>([]) } throws: { ($0 as? JobSetupError)?.code == .emptyBatch }
        let inner = try JobBatch([NoOp()])
        #expect { try JobBatch([inner]) } throws: { ($0 as? JobSetupError)?.code == .nestedBatch }
    }

    @Test("a batch too large for a frame is refused at submit, and the connection stays")
    func oversizedBatch() async throws {
        let configuration = ClusterConfiguration(frameLimits: FrameLimits(maximumFrameLength: 1024))
        try await LocalCluster.with(workers: 1, size: 1, configuration: configuration) { cluster, _ in
            let error = #expect(throws: ClusterError.self) {
                try cluster.submit(try JobBatch(Array(repeating: NoOp(), count: 2_000)))
            }
            #expect(error?.code == .invalidJob)
            #expect(error?.message.contains("noop.batch.v1 job cannot be sent") == true, "\(String(describing: error))")
            #expect(error?.message.contains("1024") == true, "\(String(describing: error))")
            try await cluster.submit(NoOp()).value
            #expect(cluster.workers.count == 1)
        }
    }

    @Test("a chunksize below 1 is refused when iteration starts")
    func badChunksize() async throws {
        try await LocalCluster.with(workers: 1, size: 1) { cluster, _ in
            let error = await #expect(throws: ClusterError.self) {
                for try await _ in cluster.map([1, 2], chunksize: 0, { _ in NoOp() }) {}
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("chunksize is 0") == true)
            #expect(cluster.submittedCount == 0)
        }
    }

    @Test("chunked map reads its input lazily: window counts chunks")
    func chunkedLazy() async throws {
        try await LocalCluster.with { cluster, _ in
            var seen = 0
            for try await value in cluster.map((1...).lazy, chunksize: 10, window: 3, { NumberJob($0) }) {
                #expect(value)
                seen += 1
                if seen == 25 { break }
            }
            // 25 outputs come from 3 chunks; at most 3 more are out.
            #expect(cluster.submittedCount <= 6)
        }
    }
}

@Suite("wire traffic")
struct WireTrafficTests {
    @Test("a batch travels as one frame each way; single jobs take a frame each")
    func framesPerJob() async throws {
        // No heartbeat falls inside the run, however slow the machine.
        let configuration = ClusterConfiguration(heartbeatInterval: .seconds(600), heartbeatTimeout: .seconds(1_200))
        try await LocalCluster.with(workers: 1, size: 2, configuration: configuration) { cluster, _ in
            let before = cluster.wireTraffic
            var count = 0
            for try await _ in cluster.map(0..<1_000, chunksize: 100, { _ in NoOp() }) { count += 1 }
            let batched = cluster.wireTraffic.since(before)
            #expect(count == 1_000)
            // Ten submits, ten results, and at most a few heartbeats and starts.
            #expect(batched.framesSent >= 10 && batched.framesSent <= 15, "\(batched)")
            #expect(batched.framesReceived >= 10 && batched.framesReceived <= 25, "\(batched)")
            // A batch submit of 100 no-ops is 129 bytes of frame and its result 248, before TLS adds its own.
            #expect(batched.bytesSent >= 10 * 129, "\(batched)")
            #expect(batched.bytesReceived >= 10 * 248, "\(batched)")

            let middle = cluster.wireTraffic
            for try await _ in cluster.map(0..<1_000, { _ in NoOp() }) {}
            let single = cluster.wireTraffic.since(middle)
            #expect(single.framesSent >= 1_000, "\(single)")
            #expect(single.framesReceived >= 1_000, "\(single)")
        }
    }
}
