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

    public init(threads: NIOThreadPool, flags: FlagDownloader) {
        self.threads = threads
        self.flags = flags
    }

    public func run(_ spec: JobSpec) async -> JobOutcome {
        do {
            switch spec {
            case .primeCheck(let n, let method):
                let isPrime = try await self.threads.runIfActive { Primality.isPrime(n, method: method) }
                return .ok(.primeCheck(isPrime: isPrime))
            case .fibonacci(let n):
                guard n <= JobSpec.maximumFibonacciN else {
                    return .failed(JobFailure(code: .invalidJob, message: "fibonacci(\(n)) does not fit 64 bits"))
                }
                return .ok(.fibonacci(try await self.threads.runIfActive { Fibonacci.recursive(n) }))
            case .flagDownload(let country, let url):
                return await self.flags.download(country: country, url: url)
            case .sleep(let nanoseconds):
                try await Task.sleep(nanoseconds: nanoseconds)
                return .ok(.sleep)
            case .noop:
                return .ok(.noop)
            }
        } catch is CancellationError {
            return .failed(JobFailure(code: .jobFailed, message: "\(spec.kind) job was cancelled while running"))
        } catch {
            return .failed(JobFailure(code: .jobFailed, message: "\(spec.kind) job failed: \(error)"))
        }
    }
}
