import FanoutBuiltinJobs
import ArgumentParser
import FanoutCoordinator
import FanoutCoordinatorCommandLine
import FanoutProtocol

extension CoordinatorCommand {
    struct Primes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check random or given numbers for primality on the cluster (the seed's multiprocs.py).",
            discussion: "Prints `n | p | elapsed | worker` per result as it arrives, then `N in X seconds`."
        )

        @OptionGroup var cluster: ClusterOptions
        @OptionGroup var options: PrimesOptions

        func run() async throws {
            let workload = self.options.workload
            let summary = try await self.cluster.withCluster { cluster in
                try await workload.run(on: cluster, print: printLine)
            }
            if summary.failed { throw ExitCode.failure }
        }
    }
}

struct PrimesOptions: ParsableArguments {
    @Option(help: "How many numbers to check.")
    var count: Int = 20

    @Option(help: "Numbers are drawn from 0 up to this.")
    var below: UInt64 = 100_000_000

    @Option(help: "Seed for drawing the numbers (default: a random one, printed).")
    var seed: UInt64?

    @Option(help: "trial-n (the seed's), trial-sqrt or miller-rabin.")
    var method: PrimeMethod = .trialDivisionToN

    @Option(help: "Check these numbers, comma-separated, instead of drawing --count of them.")
    var numbers: NumberList?

    func validate() throws {
        guard self.count >= 0 else { throw ValidationError("--count cannot be negative") }
        guard self.below >= 1 else { throw ValidationError("--below must be at least 1") }
    }

    var workload: PrimesWorkload {
        if let numbers { return PrimesWorkload(numbers: numbers.values, method: self.method) }
        let seed = self.seed ?? UInt64.random(in: 0...UInt64.max)
        if self.seed == nil { printError("seed \(seed)") }
        return PrimesWorkload(numbers: RandomNumbers.draw(self.count, below: self.below, seed: seed), method: self.method)
    }
}

extension PrimeMethod: ExpressibleByArgument {
    public init?(argument: String) {
        // "n" and "sqrt" are short for trial-n and trial-sqrt.
        guard let method = Self.allCases.first(where: { $0.description == argument || $0.description == "trial-" + argument }) else {
            return nil
        }
        self = method
    }

    public static var allValueStrings: [String] { Self.allCases.map(\.description) }
}

/// Numbers given on the command line as `7,11,1000003`.
struct NumberList: ExpressibleByArgument {
    var values: [UInt64]

    init?(argument: String) {
        let values = argument.split(separator: ",", omittingEmptySubsequences: false).map { UInt64($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { return nil }
        self.values = values.compactMap { $0 }
    }
}
