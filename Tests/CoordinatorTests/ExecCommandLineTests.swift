import FanoutBuiltinJobs
import FanoutCoordinator
import FanoutTestSupport
import Foundation
import Testing

@Suite("exec: command templates, inputs and GNU Parallel's job log")
struct ExecCommandLineTests {
    @Test("replacement strings are put in per input; {%} is left for the worker")
    func replacements() throws {
        let template = try CommandTemplate(["convert", "{}", "out/{/.}-{#}.png", "--slot={%}", "{//}", "{.}"], shell: false)
        let command = template.command(input: "in/photos/cat.large.jpg", sequence: 7)
        #expect(command == [
            "convert", "in/photos/cat.large.jpg", "out/cat.large-7.png",
            CommandArgument([.text("--slot="), .slot]), "in/photos", "in/photos/cat.large",
        ])
        #expect(template.description == "convert {} out/{/.}-{#}.png --slot={%} {//} {.}")
    }

    @Test("a command without replacement strings gets the input as its last argument")
    func appended() throws {
        #expect(try CommandTemplate(["gzip", "-k"], shell: false).command(input: "a b.txt", sequence: 1) == ["gzip", "-k", "a b.txt"])
        #expect(try CommandTemplate(["echo", "{#}"], shell: false).command(input: "x", sequence: 2) == ["echo", "2"])
    }

    @Test("{transfer} is left for the worker, and, naming no input, still has the input appended")
    func transferFolder() throws {
        let template = try CommandTemplate(["sh", "{transfer}/run.sh"], shell: false)
        #expect(template.command(input: "a.txt", sequence: 1) == ["sh", CommandArgument([.transferFolder, .text("/run.sh")]), "a.txt"])
        #expect(template.description == "sh {transfer}/run.sh {}")
        let shell = try CommandTemplate(["{transfer}/run.sh {} > out"], shell: true)
        #expect(shell.command(input: "b c", sequence: 1) == [CommandArgument([.transferFolder, .text("/run.sh 'b c' > out")])])
    }

    @Test("paths without a folder or an extension", arguments: [
        ("file", "file", "file", "."), ("/top", "/top", "top", "/"), ("a.d/b", "a.d/b", "b", "a.d"), (".hidden", ".hidden", ".hidden", "."),
    ])
    func paths(input: String, withoutExtension: String, basename: String, dirname: String) throws {
        let template = try CommandTemplate(["{.}", "{/}", "{//}"], shell: false)
        #expect(template.command(input: input, sequence: 1) == [CommandArgument(withoutExtension), CommandArgument(basename), CommandArgument(dirname)])
    }

    @Test("through a shell, the words make one line and each value put in is quoted only when it must be")
    func shell() throws {
        let template = try CommandTemplate(["grep -c x {} > {/}.count", "# slot {%}"], shell: true)
        #expect(template.command(input: "logs/a.txt", sequence: 1) == [
            CommandArgument([.text("grep -c x logs/a.txt > a.txt.count # slot "), .slot])
        ])
        #expect(template.command(input: "it's $(here)", sequence: 1) == [
            CommandArgument([.text(#"grep -c x 'it'\''s $(here)' > 'it'\''s $(here)'.count # slot "#), .slot])
        ])
    }

    @Test("no command is an error that says where the command goes")
    func noCommand() throws {
        let error = try #require(throws: ClusterError.self) { try CommandTemplate([], shell: false) }
        #expect(error.code == .invalidCommand)
        #expect(error.message.contains("--"))
    }

    @Test("the words split into the command and one input source")
    func sources() throws {
        #expect(try ExecCommandLine(["echo", ":::", "a", "b"]) == ExecCommandLine.parsed(["echo"], .arguments(["a", "b"])))
        #expect(try ExecCommandLine(["wc", "-l", "::::", "x", "y"]) == ExecCommandLine.parsed(["wc", "-l"], .files(["x", "y"])))
        #expect(try ExecCommandLine(["cat"]) == ExecCommandLine.parsed(["cat"], .standardInput))
        let twice = try #require(throws: ClusterError.self) { try ExecCommandLine(["echo", ":::", "a", ":::", "b"]) }
        #expect(twice.code == .invalidInputs && twice.message.contains("second input source"))
        let empty = try #require(throws: ClusterError.self) { try ExecCommandLine(["echo", ":::"]) }
        #expect(empty.code == .invalidInputs)
    }

    @Test("input files give one input per line, empty lines too; a missing file is named")
    func inputFiles() throws {
        let folder = try TemporaryDirectory()
        try folder.write("a.txt", "one\n\nthree\n")
        try folder.write("b.txt", "four")
        #expect(try ExecCommandLine(["x", "::::", folder.file("a.txt"), folder.file("b.txt")]).inputs() == ["one", "", "three", "four"])
        let error = try #require(throws: ClusterError.self) { try ExecCommandLine(["x", "::::", folder.file("none")]).inputs() }
        #expect(error.code == .invalidInputs && error.message.contains(folder.file("none")))
    }

    @Test("the job log is GNU Parallel's, and reads back for resuming; a line cut short by a crash is not counted")
    func jobLog() throws {
        let folder = try TemporaryDirectory()
        let path = folder.file("log")
        let log = try ParallelJobLog(appendingTo: path)
        let entry = ParallelJobLog.Entry(
            sequence: 2, host: "10.0.0.5:7420", start: 1_796_213_469.8604, runtime: 0.0126, sent: 0, received: 2, exitValue: 1, signal: 0, command: "gzip a"
        )
        try log.append(entry)
        log.close()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n2\t10.0.0.5:7420\t1796213469.860\t     0.013\t0\t2\t1\t0\tgzip a\n")

        try (text + "3\t10.0.0.5:7420\t1796213").write(toFile: path, atomically: true, encoding: .utf8)
        let entries = try ParallelJobLog.entries(at: path)
        #expect(entries.keys.sorted() == [2])
        #expect(entries[2]?.succeeded == false && entries[2]?.exitValue == 1)

        try (text + "x\ty\n4\tz\n").write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(throws: ClusterError.self) { try ParallelJobLog.entries(at: path) }
        #expect(error.code == .invalidJobLog && error.message.contains("\(path):3"))
    }
}

extension ExecCommandLine {
    fileprivate static func parsed(_ command: [String], _ source: Source) throws -> ExecCommandLine {
        var line = try ExecCommandLine(command)
        line.source = source
        return line
    }
}
