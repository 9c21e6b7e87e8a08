import ArgumentParser

@main
struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Runs jobs on a cluster of Fanout workers over mutual TLS.",
        discussion: """
            Without --workers, starts local workers (and a local flagserver) for the run and stops them after. \
            With no subcommand, runs primes, then flags.
            """,
        subcommands: [Everything.self, Primes.self, Flags.self, Fib.self, SleepJobs.self, ExecCommands.self, Ping.self, Bench.self, Certs.self],
        defaultSubcommand: Everything.self
    )
}
