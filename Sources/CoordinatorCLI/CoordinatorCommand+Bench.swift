import ArgumentParser
import FanoutCommandLine
import FanoutCoordinator
import FanoutProtocol
import Foundation
import Logging

extension CoordinatorCommand {
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time a workload over a sweep of local cluster shapes: workers, pool kind, pool size.",
            discussion: """
                Each shape gets its own local workers, a warm-up run, then --repeat timed runs. Prints a table \
                of median, min and max wall time, jobs per second, speedup and efficiency against the \
                smallest shape, and the overhead per job; --csv and --json write the same rows.
                """
        )

        enum Workload: String, ExpressibleByArgument, CaseIterable {
            case primes, fib, flags, sleep, noop
        }

        @Argument(help: "primes, fib, flags, sleep or noop.")
        var workload: Workload

        @Option(help: "Workers per shape, comma-separated.")
        var workersCount: String = "1,2"

        @Option(help: "Pool kinds, comma-separated: threads, processes.")
        var pool: String = "threads"

        @Option(help: "Slots per worker, comma-separated.")
        var size: String = "1"

        @Option(help: "Timed runs per shape.")
        var `repeat`: Int = 3

        @Option(help: "Untimed runs per shape before the timed ones.")
        var warmup: Int = 1

        /// --count is the number of jobs for every workload but fib and flags.
        @OptionGroup var primes: PrimesOptions

        @Option(help: "Milliseconds each sleep job sleeps.")
        var sleepMs: Int64 = 10

        @Option(help: "Write the rows as CSV to this file.")
        var csv: String?

        @Option(help: "Write the rows as JSON to this file.")
        var json: String?

        @Option(help: "trace, debug, info, notice, warning, error or critical.")
        var logLevel: Logger.Level = .warning

        func validate() throws {
            _ = try self.shapes()
            guard self.repeat >= 1 else { throw ValidationError("--repeat must be at least 1") }
            guard self.warmup >= 0 else { throw ValidationError("--warmup cannot be negative") }
            guard self.primes.count >= 1 else { throw ValidationError("--count must be at least 1") }
        }

        func shapes() throws -> [ClusterShape] {
            func numbers(_ text: String, _ option: String) throws -> [Int] {
                try text.split(separator: ",").map {
                    guard let value = Int($0.trimmingCharacters(in: .whitespaces)), (1...64).contains(value) else {
                        throw ValidationError("\(option) takes numbers from 1 to 64, comma-separated, not \"\(text)\"")
                    }
                    return value
                }
            }
            let pools = try self.pool.split(separator: ",").map {
                guard let kind = PoolKind(argument: $0.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--pool takes threads and processes, comma-separated, not \"\(self.pool)\"")
                }
                return kind
            }
            var shapes: [ClusterShape] = []
            for pool in pools {
                for workers in try numbers(self.workersCount, "--workers-count") {
                    for size in try numbers(self.size, "--size") {
                        shapes.append(ClusterShape(workers: workers, pool: pool, size: size))
                    }
                }
            }
            guard !shapes.isEmpty else { throw ValidationError("the sweep has no shapes") }
            return Array(Set(shapes))
        }

        func run() async throws {
            bootstrapLogging(level: self.logLevel)
            let sweep = BenchSweep(shapes: try self.shapes(), repeats: self.repeat, warmups: self.warmup)
            let logger = Logger(label: "fanout.coordinator")
            let report: BenchReport = try await untilInterrupted { [self] in
                guard self.workload == .flags else {
                    return try await sweep.runLocally(self.benchWorkload(site: nil), logger: logger, progress: printError)
                }
                return try await LocalFlagServer.with { site in
                    try await sweep.runLocally(self.benchWorkload(site: site), logger: logger, progress: printError)
                }
            }
            printLine(report.table())
            if let csv { try Data(report.csv().utf8).write(to: URL(fileURLWithPath: csv)) }
            if let json { try report.json().write(to: URL(fileURLWithPath: json)) }
        }

        /// The workload to time; flags come from `site`, a local flagserver.
        private func benchWorkload(site: FlagSite?) -> BenchWorkload {
            switch self.workload {
            case .primes: .primes(numbers: self.primes.workload.numbers, method: self.primes.method)
            case .fib: .fibonacci(numbers: Array(repeating: Array(UInt32(25)...30), count: 2).flatMap { $0 })
            case .flags: .flags(countries: Countries.sovereignStates, site: site ?? .seed)
            case .sleep: .sleep(count: self.primes.count, duration: .milliseconds(self.sleepMs))
            case .noop: .noop(count: self.primes.count)
            }
        }
    }
}
