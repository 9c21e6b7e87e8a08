import ArgumentParser

@main
struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Runs jobs on a cluster of Fanout workers over mutual TLS.",
        subcommands: [Certs.self]
    )
}
