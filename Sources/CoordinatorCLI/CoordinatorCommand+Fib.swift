import ArgumentParser
import FanoutCoordinator
import FanoutCoordinatorCommandLine

extension CoordinatorCommand {
    struct Fib: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The seed's GIL demo: Fibonacci 35 to 39 in four tasks, at once and then one by one.",
            discussion: "Prints `Fibonacci(i) = value (worker)` per result and `Time taken: X seconds` per phase."
        )

        @OptionGroup var cluster: ClusterOptions

        @Option(help: "First Fibonacci number of each task.")
        var from: UInt32 = 35

        @Option(help: "Last Fibonacci number of each task (at most 93).")
        var to: UInt32 = 39

        @Option(help: "How many tasks.")
        var tasks: Int = 4

        func validate() throws {
            guard self.from <= self.to else { throw ValidationError("--from must not be above --to") }
            guard self.to <= 93 else { throw ValidationError("--to must be at most 93: fib(94) does not fit 64 bits") }
            guard self.tasks >= 1 else { throw ValidationError("--tasks must be at least 1") }
        }

        func run() async throws {
            let workload = FibonacciWorkload(range: self.from...self.to, tasks: self.tasks)
            let summary = try await self.cluster.withCluster { cluster in
                try await workload.run(on: cluster, print: printLine)
            }
            if summary.failed { throw ExitCode.failure }
        }
    }
}
