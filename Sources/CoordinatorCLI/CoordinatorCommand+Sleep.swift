import ArgumentParser
import FanoutCoordinator
import FanoutCoordinatorCommandLine

extension CoordinatorCommand {
    struct SleepJobs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sleep",
            abstract: "Run jobs that each hold a worker slot for a while: a steady load for watching faults and scheduling.",
            discussion: "Prints `job N slept D on WORKER` per result as it arrives, then `N in X seconds`."
        )

        @OptionGroup var cluster: ClusterOptions

        @Option(help: "How many jobs.")
        var count: Int = 20

        @Option(help: "Milliseconds each job sleeps.")
        var ms: Int = 100

        func validate() throws {
            guard self.count >= 0 else { throw ValidationError("--count cannot be negative") }
            guard self.ms >= 0 else { throw ValidationError("--ms cannot be negative") }
        }

        func run() async throws {
            let workload = SleepWorkload(count: self.count, duration: .milliseconds(self.ms))
            let summary = try await self.cluster.withCluster { cluster in
                try await workload.run(on: cluster, print: printLine)
            }
            if summary.failed { throw ExitCode.failure }
        }
    }
}
