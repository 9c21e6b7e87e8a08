import ArgumentParser
import FanoutBuiltinJobs
import FanoutWorkerCommandLine

extension WorkerCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve coordinators over mutual TLS, running the built-in job kinds (the default command).",
            discussion: WorkerOptions.discussion
        )

        @OptionGroup var options: WorkerOptions

        func run() async throws {
            try await self.options.run(kinds: BuiltinJobs.registered)
        }
    }
}
