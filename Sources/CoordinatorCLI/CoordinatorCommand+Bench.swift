import ArgumentParser
import FanoutCommandLine
import FanoutCoordinator
import FanoutCoordinatorCommandLine
import FanoutProtocol
import Foundation
import Logging

extension CoordinatorCommand {
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time a workload over a sweep of cluster shapes: workers, pool kind, pool size.",
            discussion: """
                Locally, each shape gets its own workers; with --workers, each count takes the first N workers \
                of the hosts file as they are deployed. Every shape gets a warm-up run, then --repeat timed runs. \
                Prints a table of median, min and max wall time, jobs per second, speedup and efficiency \
                against the smallest shape (or the sequential run, with --baseline sequential), and the \
                overhead per job; --csv and --json write the same rows, --plot draws speedup against workers.
                """
        )

        enum Workload: String, ExpressibleByArgument, CaseIterable {
            case primes, fib, flags, sleep, noop
        }

        enum Baseline: String, ExpressibleByArgument, CaseIterable {
            /// The smallest shape of the sweep.
            case smallest
            /// The jobs one after another in this process.
            case sequential
        }

        @Argument(help: "primes, fib, flags, sleep or noop.")
        var workload: Workload

        @Option(help: "Hosts file; the sweep takes its first N workers for each N of --workers-count.")
        var workers: String?

        @Option(help: "Folder with ca.pem, coordinator.pem and coordinator-key.pem, for --workers.")
        var tlsDir: String = "certs"

        @Option(help: "The most local workers the sweep starts (default: the largest of --workers-count).")
        var local: Int?

        @Option(help: "Workers per shape, comma-separated (default: powers of two up to --local or the hosts file's count, and that count; else 1,2).")
        var workersCount: String?

        @Option(help: "Pool kinds of local workers, comma-separated: threads, processes (default threads).")
        var pool: String?

        @Option(help: "Slots per local worker, comma-separated (default 1).")
        var size: String?

        @Option(help: "Timed runs per shape.")
        var `repeat`: Int = 3

        @Option(help: "Untimed runs per shape before the timed ones.")
        var warmup: Int = 1

        @Option(help: "What speedup is against: smallest (the shape with fewest slots) or sequential (in this process).")
        var baseline: Baseline = .smallest

        /// --count is the number of jobs for primes, sleep and noop.
        @OptionGroup var primes: PrimesOptions

        @Option(help: "fib: first Fibonacci number of each task.")
        var from: UInt32 = 25

        @Option(help: "fib: last Fibonacci number of each task (at most 93).")
        var to: UInt32 = 30

        @Option(help: "fib: how many tasks.")
        var tasks: Int = 2

        @Option(help: "flags: URL pattern with {} for the name (default: a local flagserver, or the seed's site with --workers).")
        var baseURL: String?

        @Option(help: "sleep: milliseconds each job sleeps.")
        var sleepMs: Int64 = 10

        @Option(help: "Write the rows as CSV to this file.")
        var csv: String?

        @Option(help: "Write the rows as JSON to this file.")
        var json: String?

        @Option(help: "Draw speedup against workers, one series per pool kind, to this SVG file.")
        var plot: String?

        @Option(help: "trace, debug, info, notice, warning, error or critical.")
        var logLevel: Logger.Level = .warning

        func validate() throws {
            if self.workers != nil {
                guard self.local == nil else { throw ValidationError("give --workers or --local, not both") }
                guard self.pool == nil, self.size == nil else {
                    throw ValidationError("--pool and --size shape local workers; with --workers the pools are those deployed")
                }
            }
            if let local = self.local, local < 1 { throw ValidationError("--local must be at least 1") }
            if let local = self.local, let largest = try self.workerCounts(upTo: local).max(), largest > local {
                throw ValidationError("--workers-count asks for \(largest) workers, more than --local \(local)")
            }
            _ = try self.shapes()
            guard self.repeat >= 1 else { throw ValidationError("--repeat must be at least 1") }
            guard self.warmup >= 0 else { throw ValidationError("--warmup cannot be negative") }
            guard self.primes.count >= 1 else { throw ValidationError("--count must be at least 1") }
            guard self.from <= self.to, self.to <= 93 else { throw ValidationError("fib needs --from ≤ --to ≤ 93") }
            guard self.tasks >= 1 else { throw ValidationError("--tasks must be at least 1") }
            if let baseURL { _ = try FlagSite(pattern: baseURL) }
        }

        private static func numbers(_ text: String, _ option: String) throws -> [Int] {
            let values = try text.split(separator: ",").map {
                guard let value = Int($0.trimmingCharacters(in: .whitespaces)), (1...64).contains(value) else {
                    throw ValidationError("\(option) takes numbers from 1 to 64, comma-separated, not \"\(text)\"")
                }
                return value
            }
            guard !values.isEmpty else { throw ValidationError("\(option) lists no numbers") }
            return values
        }

        /// --workers-count, or powers of two up to `available` and `available` itself, or 1 and 2.
        func workerCounts(upTo available: Int?) throws -> [Int] {
            if let workersCount { return try Self.numbers(workersCount, "--workers-count") }
            guard let available else { return [1, 2] }
            return Array(Set(sequence(first: 1) { $0 * 2 }.prefix { $0 <= available }).union([available])).sorted()
        }

        func shapes() throws -> [ClusterShape] {
            let pool = self.pool ?? "threads"
            let pools = try pool.split(separator: ",").map {
                guard let kind = PoolKind(argument: $0.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--pool takes threads and processes, comma-separated, not \"\(pool)\"")
                }
                return kind
            }
            var shapes: Set<ClusterShape> = []
            for pool in pools {
                for workers in try self.workerCounts(upTo: self.local) {
                    for size in try Self.numbers(self.size ?? "1", "--size") {
                        shapes.insert(ClusterShape(workers: workers, pool: pool, size: size))
                    }
                }
            }
            guard !shapes.isEmpty else { throw ValidationError("the sweep has no shapes") }
            return shapes.sorted()
        }

        func run() async throws {
            bootstrapLogging(level: self.logLevel)
            let sweep = BenchSweep(repeats: self.repeat, warmups: self.warmup, sequentialBaseline: self.baseline == .sequential)
            let logger = Logger(label: "fanout.coordinator")
            let report: BenchReport = try await untilInterrupted { [self] in
                if let hostsPath = self.workers {
                    let hosts = try HostsFile.load(path: hostsPath)
                    let workload = try self.benchWorkload(site: self.baseURL.map(FlagSite.init(pattern:)) ?? .seed)
                    return try await sweep.runOnHosts(
                        workload,
                        workers: hosts.workers,
                        tls: TLSFiles.coordinator(directory: self.tlsDir),
                        counts: try self.workerCounts(upTo: hosts.workers.count),
                        logger: logger,
                        progress: printError
                    )
                }
                let shapes = try self.shapes()
                if self.workload == .flags, self.baseURL == nil {
                    return try await LocalFlagServer.with { site in
                        try await sweep.runLocally(self.benchWorkload(site: site), shapes: shapes, logger: logger, progress: printError)
                    }
                }
                let site = try self.baseURL.map(FlagSite.init(pattern:)) ?? .seed
                return try await sweep.runLocally(self.benchWorkload(site: site), shapes: shapes, logger: logger, progress: printError)
            }
            printLine(report.table())
            if let csv { try Data(report.csv().utf8).write(to: URL(fileURLWithPath: csv)) }
            if let json { try report.json().write(to: URL(fileURLWithPath: json)) }
            if let plot { try Data(report.plot().utf8).write(to: URL(fileURLWithPath: plot)) }
        }

        /// The workload to time; flags come from `site`.
        private func benchWorkload(site: FlagSite) throws -> BenchWorkload {
            switch self.workload {
            case .primes: .primes(numbers: self.primes.workload.numbers, method: self.primes.method)
            case .fib: .fibonacci(numbers: FibonacciWorkload(range: self.from...self.to, tasks: self.tasks).numbers)
            case .flags: .flags(countries: Countries.sovereignStates, site: site)
            case .sleep: .sleep(count: self.primes.count, duration: .milliseconds(self.sleepMs))
            case .noop: .noop(count: self.primes.count)
            }
        }
    }
}
