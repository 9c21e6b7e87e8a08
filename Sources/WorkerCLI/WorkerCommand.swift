import ArgumentParser

@main
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "The Fanout worker daemon.",
        subcommands: [Serve.self, CheckTLS.self],
        defaultSubcommand: Serve.self
    )
}
