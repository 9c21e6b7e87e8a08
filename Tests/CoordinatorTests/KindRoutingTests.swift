@testable import FanoutCoordinator
import FanoutBuiltinJobs
import FanoutJobs
import FanoutProtocol
import Testing

/// A second version of the built-in no-op, which the shipped worker does not run.
struct NoOpV2: Job, Codable {
    typealias Output = Int
    static let kind = JobKindName("noop", version: 2)
    func run(in context: JobContext) async throws -> Int { 2 }
}

@Suite("Kinds on the coordinator")
struct KindRoutingTests {
    @Test("a job whose kind no worker runs fails at once, naming the kind and each worker's versions of it")
    func kindNotRun() async throws {
        try await LocalCluster.with(workers: 2) { cluster, local in
            let future = try cluster.submit(NoOpV2())
            #expect(future.isDone, "failed at submit, not queued")
            let error = try #require(future.error)
            let workers = Dictionary(uniqueKeysWithValues: local.addresses.map { ("\($0)", BuiltinJobs.registered.names.sorted()) })
            #expect(error.reason == .kindNotRun(NoOpV2.kind, workers: workers))
            let text = "\(error)"
            #expect(text.contains("no worker runs noop.v2"), "\(text)")
            for address in local.addresses { #expect(text.contains("\(address) runs noop.v1"), "\(text)") }
            // The cluster goes on with the kinds it has.
            #expect(try await cluster.submit(Fibonacci(10)).value == 55)
        }
    }

    @Test("ping lists each worker's kinds")
    func pingKinds() async throws {
        try await LocalCluster.with(workers: 1) { cluster, _ in
            let pings = await cluster.ping()
            #expect(pings.first?.worker.capabilities.kinds == BuiltinJobs.registered.names)
        }
    }
}
