import ArgumentParser
import FanoutCoordinator
import FanoutCoordinatorCommandLine

extension CoordinatorCommand {
    /// The default: primes, then flags, on one cluster.
    struct Everything: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run primes, then flags (the default command)."
        )

        @OptionGroup var cluster: ClusterOptions
        @OptionGroup var primes: PrimesOptions
        @OptionGroup var flags: FlagsOptions

        func run() async throws {
            let primes = self.primes.workload
            let flags = self.flags
            let countries = try flags.countryList()
            let isLocal = self.cluster.isLocal
            let failed = try await self.cluster.withCluster { cluster in
                let primeSummary = try await primes.run(on: cluster, print: printLine)
                printLine("")
                let flagSummary = try await flags.run(countries, on: cluster, local: isLocal)
                return primeSummary.failed || flagSummary.failed
            }
            if failed { throw ExitCode.failure }
        }
    }
}
