import ArgumentParser
import FanoutCommandLine
import FanoutBuiltinJobs
import FanoutCoordinator
import FanoutProtocol
import Foundation
import Logging

/// `fanout-benchmarks`: the Swift half of `benchmarks/run.sh`.
@main
struct BenchmarksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fanout-benchmarks",
        abstract: "Measure Fanout on local workers over mutual TLS, for benchmarks/run.sh.",
        subcommands: [Run.self, Memory.self, Inputs.self, ReferenceEcho.self],
        defaultSubcommand: Run.self
    )

    /// The inputs every side measures with, so that Python checks the very same numbers.
    static let smallCPUSeed: UInt64 = 42
    static let seedPrimesSeed: UInt64 = 1

    /// 200,000 random 32-bit numbers, in a quick run too: they take well under a second.
    static func smallCPUNumbers() -> [UInt64] {
        RandomNumbers.draw(200_000, below: 1 << 32, seed: Self.smallCPUSeed)
    }

    static func seedPrimesNumbers() -> [UInt64] {
        RandomNumbers.draw(20, below: 100_000_000, seed: Self.seedPrimesSeed)
    }

    struct Inputs: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a benchmark's inputs, one per line.")

        enum Which: String, ExpressibleByArgument, CaseIterable {
            case smallCPU = "small-cpu", seedPrimes = "seed-primes", countries
        }

        @Argument(help: "small-cpu, seed-primes or countries.")
        var which: Which

        func run() {
            let lines: [String] = switch self.which {
            case .smallCPU: BenchmarksCommand.smallCPUNumbers().map(String.init)
            case .seedPrimes: BenchmarksCommand.seedPrimesNumbers().map(String.init)
            case .countries: Countries.sovereignStates
            }
            print(lines.joined(separator: "\n"))
        }
    }

    struct Memory: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the coordinator's resident bytes per pending job, measured once in this fresh process."
        )

        @Option(help: "Jobs left pending.")
        var jobs: Int = 1_000_000

        func run() async throws {
            bootstrapLogging(level: .warning)
            let measurements = Measurements(quick: false, repeats: 1, logger: Logger(label: "fanout.benchmarks"))
            print(try await measurements.bytesPerPendingJob(count: self.jobs))
        }
    }

    struct ReferenceEcho: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reference-echo",
            abstract: "Serve the reference round trip's echo side on 127.0.0.1 until standard input closes.",
            shouldDisplay: false
        )

        @Option(help: "A worker's certificate folder.")
        var tlsDir: String

        @Option(help: "Bytes of each answer frame, its header included.")
        var responseBytes: Int

        @Flag(help: "Stop when standard input closes (it always does; accepted as every server started this way is).")
        var stopWhenStdinCloses = false

        func run() async throws {
            try await ReferenceRoundTrip.serve(tls: TLSFiles.worker(directory: self.tlsDir), responseBytes: self.responseBytes)
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run every measurement and print them as one JSON object.")

        @Flag(help: "Smaller inputs, to finish in a few minutes.")
        var quick = false

        @Option(help: "Runs of each measurement (at least 3 for a median).")
        var `repeat`: Int = 3

        @Option(help: "Flag URL pattern of a flagserver delaying each answer --flag-delay-ms.")
        var flagsURL: String

        @Option(help: "The flagserver's delay per answer.")
        var flagDelayMs: Int64 = 100

        /// Jobs per batch in the batched no-op and small-CPU maps.
        static let noopChunksize = 256
        static let smallCPUChunksize = 256

        @Option(help: "benchmarks/page_probe.py, to measure the dashboard open in Chromium (default: not measured).")
        var pageProbe: String?

        @Option(help: "Only these measurements, comma-separated (default: all).")
        var only: String?

        func run() async throws {
            bootstrapLogging(level: .warning)
            let measurements = Measurements(quick: self.quick, repeats: self.repeat, logger: Logger(label: "fanout.benchmarks"))
            let wanted = self.only.map { Set($0.split(separator: ",").map(String.init)) }
            func wants(_ name: String) -> Bool { wanted?.contains(name) ?? true }
            func note(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
            var figures: [String: Figure] = [:]
            var facts: [String: Double] = [:]
            if wants("noop") {
                note("no-op throughput, in batches of \(Self.noopChunksize)…")
                let batched = try await measurements.noopThroughput(chunksize: Self.noopChunksize)
                figures["noop_jobs_per_s"] = batched.jobsPerSecond
                figures["wire_frames_per_job_batched"] = batched.framesPerJob
                figures["wire_bytes_per_job_batched"] = batched.bytesPerJob
                facts["noop_chunksize"] = Double(Self.noopChunksize)
                if let probe = self.pageProbe {
                    note("no-op throughput in batches, with the dashboard served, open in Chromium, and neither…")
                    let cost = try await measurements.dashboardCost(chunksize: Self.noopChunksize, probe: probe)
                    figures["noop_dashboard_served_jobs_per_s"] = cost.served
                    figures["noop_dashboard_open_jobs_per_s"] = cost.open
                    figures["noop_dashboard_served_vs_without"] = cost.servedRatio
                    figures["noop_dashboard_open_vs_without"] = cost.openRatio
                    figures["dashboard_slowest_update_ms"] = cost.slowestUpdateMilliseconds
                    figures["dashboard_updates"] = cost.updates
                } else {
                    note("no --page-probe: the dashboard's cost is not measured")
                }
                note("no-op throughput, a frame per job…")
                let single = try await measurements.noopThroughput(chunksize: 1)
                figures["noop_unbatched_jobs_per_s"] = single.jobsPerSecond
                figures["wire_frames_per_job"] = single.framesPerJob
                figures["wire_bytes_per_job"] = single.bytesPerJob
                note("no-op throughput, one at a time, with a Codable input…")
                let codable = try await measurements.throughput(chunksize: 1) { CodableNoOp(index: $0, label: "job") }
                figures["noop_codable_unbatched_jobs_per_s"] = codable.jobsPerSecond
                figures["wire_bytes_per_job_codable"] = codable.bytesPerJob
            }
            if wants("rtt") {
                note("round trip…")
                let (p50, p99) = try await measurements.roundTrip(pool: .threads, of: NoOp())
                figures["rtt_p50_us"] = p50
                figures["rtt_p99_us"] = p99
                note("round trip of a job computed on a pool thread…")
                let (computeP50, computeP99) = try await measurements.roundTrip(pool: .threads, of: Fibonacci(1))
                figures["rtt_compute_p50_us"] = computeP50
                figures["rtt_compute_p99_us"] = computeP99
                note("round trip on process-pool workers…")
                let (processP50, processP99) = try await measurements.roundTrip(pool: .processes, of: NoOp())
                figures["rtt_processes_p50_us"] = processP50
                figures["rtt_processes_p99_us"] = processP99
                note("the reference round trip: bare SwiftNIO over the same TLS…")
                let (referenceP50, referenceP99) = try await measurements.referenceRoundTrip()
                figures["rtt_reference_p50_us"] = referenceP50
                figures["rtt_reference_p99_us"] = referenceP99
            }
            if wants("scale") {
                note("64 workers × 8 slots, 20 rounds of 10 ms sleeps…")
                figures["scale_64x8_efficiency"] = try await measurements.scaleEfficiency(workers: 64, slots: 8, rounds: 20)
            }
            if wants("small-cpu") {
                note("small CPU jobs…")
                let (efficiency, wall) = try await measurements.smallCPUEfficiency(
                    numbers: BenchmarksCommand.smallCPUNumbers(),
                    chunksize: Self.smallCPUChunksize
                )
                figures["small_cpu_efficiency"] = efficiency
                figures["small_cpu_seconds"] = wall
                facts["small_cpu_chunksize"] = Double(Self.smallCPUChunksize)
            }
            if wants("seed-primes") {
                note("the seed's primes…")
                let (ratio, wall) = try await measurements.seedPrimes(numbers: BenchmarksCommand.seedPrimesNumbers())
                figures["seed_primes_vs_longest_job"] = ratio
                figures["seed_primes_seconds"] = wall
            }
            if wants("fib") {
                note("the seed's GIL demo…")
                let (speedup, one, two) = try await measurements.fibonacciSpeedup()
                figures["fib_speedup_2_vs_1"] = speedup
                figures["fib_1_slot_seconds"] = one
                figures["fib_2_slots_seconds"] = two
            }
            if wants("flags") {
                note("flags…")
                let (ratio, wall, slots) = try await measurements.flags(site: try FlagSite(pattern: self.flagsURL), delay: .milliseconds(self.flagDelayMs))
                figures["flags_vs_floor"] = ratio
                figures["flags_seconds"] = wall
                facts["flags_slots"] = Double(slots)
            }
            struct Output: Encodable {
                var figures: [String: Figure]
                var facts: [String: Double]
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(Output(figures: figures, facts: facts)), as: UTF8.self))
        }
    }
}
