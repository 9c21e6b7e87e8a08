#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import AsyncHTTPClient
import FanoutProtocol
import NIOCore
import NIOPosix

/// Runs one job spec to its outcome: CPU work on OS threads, never on an event loop or the Swift
/// concurrency pool; waiting and downloads asynchronously.
///
/// Never throws: whatever goes wrong becomes a failed outcome.
public struct JobRunner: Sendable {
    /// Threads for CPU-bound jobs.
    let threads: NIOThreadPool
    let flags: FlagDownloader
    /// The frames the results travel in: a batch whose result would not fit one fails instead.
    let limits: FrameLimits
    /// A prime check of this number crashes the process running it: a fault injected to test how a cluster
    /// survives a job that crashes its worker. Nil in service.
    public var crashOnPrime: UInt64?

    public init(threads: NIOThreadPool, flags: FlagDownloader, limits: FrameLimits = .default) {
        self.threads = threads
        self.flags = flags
        self.limits = limits
    }

    public func run(_ spec: JobSpec) async -> JobOutcome {
        await self.crashIfInjected(spec)
        do {
            switch spec {
            case .primeCheck, .fibonacci:
                return try await self.threads.runIfActive { Self.compute(spec) }
            case .flagDownload(let country, let url):
                return await self.flags.download(country: country, url: url)
            case .sleep(let nanoseconds):
                try await Task.sleep(nanoseconds: nanoseconds)
                return .ok(.sleep)
            case .noop:
                return .ok(.noop)
            case .batch(let items):
                return self.fitted(.ok(.batch(try await self.runBatch(items))), jobs: items.count)
            }
        } catch is CancellationError {
            return .failed(JobFailure(code: .jobFailed, message: "\(spec.kind) job was cancelled while running"))
        } catch {
            return .failed(JobFailure(code: .jobFailed, message: "\(spec.kind) job failed: \(error)"))
        }
    }

    /// Kills the process, after 100 ms, if `spec` is or holds the injected fault: a job that runs a while and then
    /// takes its process down at once, as the kernel's out-of-memory killer would. (A trap would first spend
    /// seconds in Swift's backtracer, frozen, which is a different fault.)
    private func crashIfInjected(_ spec: JobSpec) async {
        guard let crashOnPrime, Self.holds(spec, prime: crashOnPrime) else { return }
        try? await Task.sleep(for: .milliseconds(100))
        let note = "fault injected: a prime check of \(crashOnPrime) kills this process\n"
        _ = note.withCString { write(STDERR_FILENO, $0, strlen($0)) }
        kill(getpid(), SIGKILL)
    }

    private static func holds(_ spec: JobSpec, prime: UInt64) -> Bool {
        switch spec {
        case .primeCheck(prime, _): true
        case .batch(let items): items.contains { Self.holds($0, prime: prime) }
        default: false
        }
    }

    /// Runs a batch's jobs one after another. A batch of CPU jobs takes one trip to a thread, not one per job.
    private func runBatch(_ items: [JobSpec]) async throws -> [JobOutcome] {
        if items.allSatisfy({ Self.isComputable($0) }) {
            if items.allSatisfy({ $0 == .noop }) { return items.map(Self.compute) }
            return try await self.threads.runIfActive { items.map(Self.compute) }
        }
        var outcomes: [JobOutcome] = []
        outcomes.reserveCapacity(items.count)
        for item in items {
            try Task.checkCancellation()
            outcomes.append(await self.run(item))
        }
        return outcomes
    }

    /// `outcome`, or a failure saying why when its result frame would exceed the limits: a batch's outputs add
    /// up, and a frame too large to send would cost the connection, not just the batch.
    private func fitted(_ outcome: JobOutcome, jobs: Int) -> JobOutcome {
        do {
            try Message.result(JobResult(jobID: JobID(0), attempt: 0, outcome: outcome, slot: 0)).checkEncodes(within: self.limits)
            return outcome
        } catch {
            return .failed(
                JobFailure(code: .jobFailed, message: "the result of a batch of \(jobs) jobs cannot be sent: \(error); use smaller batches")
            )
        }
    }

    /// Whether ``compute(_:)`` runs `spec`: a job that only computes, with nothing to wait for.
    private static func isComputable(_ spec: JobSpec) -> Bool {
        switch spec {
        case .primeCheck, .fibonacci, .noop: true
        case .flagDownload, .sleep, .batch: false
        }
    }

    /// Runs a job that only computes, on the calling thread.
    private static func compute(_ spec: JobSpec) -> JobOutcome {
        switch spec {
        case .primeCheck(let n, let method):
            return .ok(.primeCheck(isPrime: Primality.isPrime(n, method: method)))
        case .fibonacci(let n):
            guard n <= JobSpec.maximumFibonacciN else {
                return .failed(JobFailure(code: .invalidJob, message: "fibonacci(\(n)) does not fit 64 bits"))
            }
            return .ok(.fibonacci(Fibonacci.recursive(n)))
        case .noop:
            return .ok(.noop)
        case .flagDownload, .sleep, .batch:
            return .failed(JobFailure(code: .invalidJob, message: "a \(spec.kind) job does not run on a compute thread"))
        }
    }
}
