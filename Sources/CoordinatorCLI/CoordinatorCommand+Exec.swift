#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import FanoutBuiltinJobs
import FanoutCoordinator
import FanoutCommandLine
import FanoutCoordinatorCommandLine

extension CoordinatorCommand {
    struct ExecCommands: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "exec",
            abstract: "Run a command once per input across the workers, as GNU Parallel does across hosts.",
            usage: "coordinator exec [cluster options] [options] -- COMMAND [ARGS…] [::: INPUT… | :::: FILE…]",
            discussion: """
                Inputs are the words after :::, the lines of the files after ::::, or else the lines of standard \
                input. In the command, {} is the input, {.} it without its extension, {/} its basename, {//} its \
                dirname, {/.} its basename without extension, {#} the job's number and {%} its worker slot; a \
                command with none gets the input as its last argument. Files given with --transfer are sent to \
                each worker's run folder before its first job; a command runs in that folder (unless --workdir \
                says otherwise), and {transfer} is its path. Each job's output is printed whole when it \
                ends. The exit status is the number of failed jobs, at most 101. Workers run commands only when \
                started with --allow-exec; local workers are.
                """
        )

        @OptionGroup var cluster: ClusterOptions

        @Flag(help: "Run the command through /bin/sh -c, each input put in quoted.")
        var shell = false

        @Option(help: "Seconds a job may run before its whole process group is killed and it fails.")
        var timeout: Double?

        @Option(help: ArgumentHelp("Set a variable for the command; can be repeated.", valueName: "name=value"))
        var env: [String] = []

        @Option(help: "The folder the command runs in on its worker (default: the run folder, or the worker's own).")
        var workdir: String?

        @Option(
            help: ArgumentHelp(
                "Send a file to each worker's run folder before its first job; can be repeated. Removed when the run ends.",
                valueName: "file"
            )
        )
        var transfer: [String] = []

        @Option(help: "Bytes of each of standard output and standard error kept per job; the rest is cut (K, M, G allowed).")
        var maxOutput: String = "1M"

        @Flag(name: [.customShort("k"), .long], help: "Print the jobs' output in input order, not as they end.")
        var keepOrder = false

        @Flag(help: "Put the input and a tab in front of each line of output.")
        var tag = false

        @Option(help: ArgumentHelp("Write each job's stdout, stderr and exitval to DIR/SEQ/.", valueName: "dir"))
        var results: String?

        @Option(help: "Times a failing job is tried in all, on any worker.")
        var retries: Int = 1

        @Flag(help: "Skip the inputs the job log (--joblog) has a line for.")
        var resume = false

        @Flag(help: "Skip the inputs the job log says succeeded; run the failed ones again.")
        var resumeFailed = false

        @Argument(parsing: .postTerminator, help: ArgumentHelp("The command and its inputs, after --.", valueName: "command"))
        var words: [String] = []

        func validate() throws {
            if let timeout, !(timeout > 0 && timeout <= 86_400 * 365) {
                throw ValidationError("--timeout must be above 0 and at most a year of seconds")
            }
            guard self.retries >= 0 else { throw ValidationError("--retries cannot be negative") }
            guard !(self.resume && self.resumeFailed) else { throw ValidationError("give --resume or --resume-failed, not both") }
            guard !(self.resume || self.resumeFailed) || self.cluster.joblog != nil else {
                throw ValidationError("--resume and --resume-failed read the job log: give --joblog FILE")
            }
            _ = try self.environment()
            _ = try Self.bytes(self.maxOutput)
        }

        private func environment() throws -> [EnvironmentVariable] {
            try self.env.map { pair in
                guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                    throw ValidationError("--env \(pair): give NAME=VALUE")
                }
                return EnvironmentVariable(name: String(pair[..<equals]), value: String(pair[pair.index(after: equals)...]))
            }
        }

        /// `text` as a count of bytes up to 4G, with an optional K, M or G (powers of 1024).
        static func bytes(_ text: String) throws -> Int {
            guard let count = ByteCount(argument: text), count.bytes <= Int(UInt32.max) else {
                throw ValidationError("--max-output \(text): give a number of bytes up to 4G, with K, M or G if you like")
            }
            return count.bytes
        }

        func run() async throws {
            let line = try ExecCommandLine(self.words)
            var run = ExecRun(template: try CommandTemplate(line.command, shell: self.shell))
            run.timeout = self.timeout.map { .milliseconds(Int64($0 * 1000)) }
            run.environment = try self.environment()
            run.workingDirectory = self.workdir
            run.maximumOutputBytes = try Self.bytes(self.maxOutput)
            run.keepOrder = self.keepOrder
            run.tag = self.tag
            run.resultsDirectory = self.results
            run.tries = Swift.max(1, self.retries)
            run.jobLog = self.cluster.joblog
            run.resume = self.resume ? .logged : self.resumeFailed ? .succeeded : .none
            let inputs = try line.inputs()
            let transfers = try self.transfer.map { path throws(ClusterError) in try TransferFile(contentsOf: path) }
            // The job log is GNU Parallel's here, written by the run itself.
            var cluster = self.cluster
            cluster.joblog = nil
            let output = ExecRun.Output(
                standardOutput: { bytes in Self.write(bytes, to: STDOUT_FILENO) },
                standardError: { bytes in Self.write(bytes, to: STDERR_FILENO) },
                note: { printError("coordinator: \($0)") }
            )
            let summary = try await cluster.withCluster(progress: false, transfers: transfers) { [run] cluster in
                try await run.run(inputs: inputs, on: cluster, output: output)
            }
            if summary.exitStatus != 0 { throw ExitCode(summary.exitStatus) }
        }

        private static func write(_ bytes: [UInt8], to descriptor: Int32) {
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    guard written > 0 else { return }
                    offset += written
                }
            }
        }
    }
}
