import ArgumentParser
import Foundation
import FanoutBuiltinJobs
import FanoutCoordinator
import FanoutCoordinatorCommandLine
import FanoutJobs
import FanoutWorkerCommandLine

@main
struct PiEstimateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pi-estimate",
        abstract: "Estimate π by Monte Carlo on a Fanout cluster.",
        subcommands: [Worker.self, Run.self]
    )

    /// The kinds this program's workers run: π, and the built-in ones.
    static var kinds: JobKinds {
        get throws { try JobKinds([PiEstimate.self] + BuiltinJobs.kinds) }
    }
}

extension PiEstimateCommand {
    struct Worker: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve coordinators, running pi.estimate.v1 and the built-in kinds.",
            discussion: WorkerOptions.discussion
        )

        @OptionGroup var options: WorkerOptions

        func run() async throws {
            try await self.options.run(kinds: try PiEstimateCommand.kinds)
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Split the samples into jobs, run them on the cluster, and print the estimate."
        )

        @OptionGroup var cluster: ClusterOptions

        @Option(help: "Darts thrown in all.")
        var samples: UInt64 = 20_000_000

        @Option(help: "Jobs the samples are split into.")
        var jobs: Int = 20

        @Option(help: "Jobs sent together in one frame and run one after another in one slot.")
        var chunksize: Int = 1

        @Option(help: "Seed of the first job; job i uses seed + i.")
        var seed: UInt64 = 1

        func validate() throws {
            guard self.jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
            guard self.samples >= UInt64(self.jobs) else { throw ValidationError("--samples must be at least --jobs") }
            guard self.chunksize >= 1 else { throw ValidationError("--chunksize must be at least 1") }
        }

        func run() async throws {
            let (samples, jobs, seed, chunksize) = (self.samples, self.jobs, self.seed, self.chunksize)
            let (hits, elapsed, workers) = try await self.cluster.withCluster(localWorker: .thisProgram(arguments: ["worker"])) { cluster in
                // The time printed is the jobs' alone, from the first submit to the last answer, without the
                // workers' start.
                let start = ContinuousClock.now
                let each = samples / UInt64(jobs)
                let shares = (0..<jobs).map { index in
                    PiEstimate(samples: index == 0 ? samples - each * UInt64(jobs - 1) : each, seed: seed &+ UInt64(index))
                }
                var hits: UInt64 = 0
                for try await jobHits in cluster.map(shares, chunksize: chunksize, { $0 }) {
                    hits += jobHits
                }
                return (hits, ContinuousClock.now - start, cluster.workers.count)
            }
            let seconds = elapsed / .seconds(1)
            let pi = 4 * Double(hits) / Double(samples)
            printLine("π ≈ \(pi) from \(samples) samples in \(String(format: "%.3f", seconds)) s on \(workers) workers")
        }
    }
}
