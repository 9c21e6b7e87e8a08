import FanoutJobs
import Testing

@testable import FanoutWorkerCommandLine

@Suite("The worker's flags")
struct WorkerOptionsTests {
    @Test("--allow-exec alone allows any executable; with a list, only those; without it, none", arguments: [
        (["--log-level", "info"], CommandPolicy.refused),
        (["--allow-exec", "--log-level", "info"], .anyExecutable),
        (["--allow-exec"], .anyExecutable),
        (["--allow-exec=/bin/echo,/usr/bin/gzip", "--log-level", "info"], .only(["/bin/echo", "/usr/bin/gzip"])),
        (["--log-level", "info", "--allow-exec=/bin/echo"], .only(["/bin/echo"])),
        (["--allow-exec", "/bin/echo"], .only(["/bin/echo"])),
    ])
    func allowExec(arguments: [String], policy: CommandPolicy) throws {
        let options = try WorkerOptions.parse(["--tls-dir", "certs"] + arguments)
        #expect(try options.commandPolicy() == policy)
    }

    @Test("an --allow-exec list with a relative path is refused, naming it")
    func relativePath() {
        #expect(throws: (any Error).self) { try WorkerOptions.parse(["--allow-exec=gzip"]) }
    }
}
