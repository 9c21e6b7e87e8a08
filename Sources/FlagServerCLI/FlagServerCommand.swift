import ArgumentParser
import FanoutCommandLine
import FanoutFlagServer
import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

@main
struct FlagServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flagserver",
        abstract: "Serves every country's flag as the flag website does, for flag downloads without the internet.",
        discussion: """
            GET …/Flag_of_{Name_With_Underscores}.svg answers with the flag of that country, under its ISO 3166-1 \
            name, common name or official name; anything else is 404. Needs Debian's iso-codes and iso-flags-svg \
            packages. Prints `listening on HOST:PORT` once bound.
            """
    )

    @Option(help: "Address to listen on; port 0 picks a free port.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free port.")
    var port: Int = 0

    @Option(help: "Milliseconds to wait before each answer, standing in for the internet's round trip.")
    var delayMs: Int64 = 100

    @Option(help: "iso-codes' ISO 3166-1 JSON.")
    var isoCodes: String = FlagCatalog.defaultISOCodes

    @Option(help: "Folder of flags named by lower-case ISO alpha-2 code.")
    var flags: String = FlagCatalog.defaultFlagsDirectory

    @Flag(name: .customLong(StandardInputWatch.flag), help: ArgumentHelp("Stop when standard input closes: the process that started this one has died.", visibility: .hidden))
    var stopWhenStandardInputCloses = false

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard self.delayMs >= 0 else { throw ValidationError("--delay-ms cannot be negative") }
        guard (0...65535).contains(self.port) else { throw ValidationError("--port must be from 0 to 65535") }
    }

    func run() async throws {
        bootstrapLogging(level: self.logLevel)
        if self.stopWhenStandardInputCloses { StandardInputWatch.start() }
        let catalog = try FlagCatalog(isoCodes: self.isoCodes, flagsDirectory: self.flags)
        let server = FlagServer(
            catalog: catalog,
            host: self.host,
            port: self.port,
            delay: .milliseconds(self.delayMs),
            logger: Logger(label: "fanout.flagserver")
        )
        try await server.run { address in
            let host = address.ipAddress ?? self.host
            print("listening on \(host.contains(":") ? "[\(host)]" : host):\(address.port ?? self.port)")
            fflush(nil)
        }
    }
}
