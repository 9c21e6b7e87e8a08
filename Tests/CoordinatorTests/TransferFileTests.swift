@testable import FanoutCoordinator
import FanoutBuiltinJobs
import FanoutJobs
import FanoutProtocol
import FanoutTestSupport
import Foundation
import NIOCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Files sent to workers with a run")
struct TransferFileTests {
    @Test("a file is read whole, named by its last component, and executable when it is here")
    func readsFile() throws {
        let folder = try TemporaryDirectory()
        try folder.write("tool.sh", "#!/bin/sh\necho tool\n")
        #expect(chmod(folder.file("tool.sh"), 0o755) == 0)
        try folder.write("data.txt", "numbers")
        let tool = try TransferFile(contentsOf: folder.file("tool.sh"))
        #expect(tool.name == "tool.sh" && tool.executable)
        #expect(tool.contents == ByteBuffer(string: "#!/bin/sh\necho tool\n"))
        let data = try TransferFile(contentsOf: folder.file("data.txt"))
        #expect(data.name == "data.txt" && !data.executable)
    }

    @Test("a missing file, a folder and a bad name are refused, naming what was wrong")
    func refusals() throws {
        let folder = try TemporaryDirectory()
        let missing = try #require(throws: ClusterError.self) { try TransferFile(contentsOf: folder.file("nope.sh")) }
        #expect(missing.code == .unreadableFile && missing.message.contains(folder.file("nope.sh")) && missing.message.contains("No such file"))
        let directory = try #require(throws: ClusterError.self) { try TransferFile(contentsOf: folder.path) }
        #expect(directory.code == .unreadableFile && directory.message.contains("not a regular file"), "\(directory)")
        // A FIFO with no writer would block a read for ever: it is refused once opened.
        #expect(mkfifo(folder.file("pipe"), 0o600) == 0)
        let fifo = try #require(throws: ClusterError.self) { try TransferFile(contentsOf: folder.file("pipe")) }
        #expect(fifo.code == .unreadableFile && fifo.message.hasSuffix("cannot read \(folder.file("pipe")): it is not a regular file"), "\(fifo)")
        for name in ["", "..", "a/b", "../\u{301}x", String(repeating: "a", count: 256)] {
            let error = try #require(throws: ClusterError.self) { try TransferFile(name: name, contents: ByteBuffer()) }
            #expect(error.code == .invalidFileName, "\(name)")
        }
    }

    @Test("a file is cut into puts that fit the frame limit, in order; an empty file is one put")
    func chunks() throws {
        let file = try TransferFile(name: "big", contents: ByteBuffer(repeating: 7, count: 100_000), executable: true)
        let limits = FrameLimits(maximumFrameLength: 40_000)
        let puts = file.puts(within: limits)
        #expect(puts.count == 3)
        #expect(puts.map(\.offset) == [0, UInt64(puts[0].bytes.readableBytes), UInt64(puts[0].bytes.readableBytes * 2)])
        #expect(puts.reduce(0) { $0 + $1.bytes.readableBytes } == 100_000)
        for put in puts {
            #expect(put.size == 100_000 && put.executable && put.name == "big")
            #expect(throws: Never.self) { try Message.put(put).checkEncodes(within: limits) }
        }
        #expect(try TransferFile(name: "empty", contents: ByteBuffer()).puts(within: .default).count == 1)
    }

    @Test("two files of one name are refused before any worker is dialled")
    func duplicateNames() async throws {
        let files = [try TransferFile(name: "a", contents: ByteBuffer()), try TransferFile(name: "a", contents: ByteBuffer())]
        let error = await #expect(throws: ClusterError.self) {
            // Nothing listens on port 1; a dial would fail, not this.
            try await Cluster.withCluster(
                workers: [WorkerAddress(host: WorkerHost("127.0.0.1")!, port: 1)],
                tls: try TestCluster().certificates.coordinatorFiles,
                configuration: ClusterConfiguration(transfers: files)
            ) { _ in }
        }
        #expect(error?.code == .duplicateFileName)
    }

    @Test("files reach every command on its worker, sent again after a reconnect, and are gone once the workers stop")
    func reachCommands() async throws {
        let local = try TemporaryDirectory()
        let data = String(repeating: "0123456789abcdef\n", count: 12_000)
        try local.write("data.txt", data)
        let expectedSum = try Self.cksum(local.file("data.txt"), in: local.path)
        let events = JobEvents()
        let configuration = ClusterConfiguration(
            heartbeatInterval: .milliseconds(100),
            heartbeatTimeout: .milliseconds(800),
            reconnect: ReconnectPolicy(initialDelay: .milliseconds(50), maximumDelay: .milliseconds(200)),
            // Small frames, so that the data travels in several puts.
            frameLimits: FrameLimits(maximumFrameLength: 64 << 10),
            observers: [events],
            transfers: [
                try TransferFile(name: "tool.sh", contents: ByteBuffer(string: "#!/bin/sh\necho \"tool $1\"\n"), executable: true),
                try TransferFile(contentsOf: local.file("data.txt")),
            ]
        )
        var workerProcess: Int32 = 0
        try await LocalCluster.with(workers: 1, size: 2, configuration: configuration) { cluster, workers in
            let address = workers.addresses[0]
            workerProcess = workers.processIdentifiers[0]
            #expect(await events.waitFor(.connected(address, again: false)))
            try await Self.check(cluster, expectedSum: expectedSum)

            kill(workerProcess, SIGSTOP)
            #expect(await events.waitFor(.lost(address)))
            kill(workerProcess, SIGCONT)
            #expect(await events.waitFor(.connected(address, again: true)))
            try await Self.check(cluster, expectedSum: expectedSum)
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: TemporaryFolder.systemParent)
            .filter { $0.hasPrefix("fanout-run-\(workerProcess)-") }
        #expect(left == [])
    }

    @Test("sending files longer than the heartbeat timeout loses no worker: the heartbeat starts once they are stored")
    func longTransfer() async throws {
        // A put must be taken within the heartbeat timeout, so it is not set tighter than a loaded machine
        // keeps. The files must take longer than that to send, or the run shows nothing; how long depends on
        // the machine, so the file doubles until it does, within the worker's 1 GiB limit.
        let heartbeatTimeout = Duration.seconds(2)
        var shown = false
        for size in [256 << 20, 512 << 20, 1 << 30] where !shown {
            shown = try await Self.transfer(size: size, heartbeatTimeout: heartbeatTimeout)
        }
        #expect(shown, "even 1 GiB was sent within \(heartbeatTimeout)")
    }

    /// Runs with a file of `size` bytes sent to one worker; false when sending took less than
    /// `heartbeatTimeout`, which shows nothing.
    private static func transfer(size: Int, heartbeatTimeout: Duration) async throws -> Bool {
        let configuration = ClusterConfiguration(
            heartbeatInterval: .milliseconds(100),
            heartbeatTimeout: heartbeatTimeout,
            transfers: [try TransferFile(name: "big.bin", contents: ByteBuffer(repeating: 9, count: size))]
        )
        let started = ContinuousClock.now
        return try await LocalCluster.with(workers: 1, size: 1, configuration: configuration) { cluster, _ in
            let sent = ContinuousClock.now - started
            guard sent > heartbeatTimeout else { return false }
            // What is under test is time passing without traffic: the heartbeat checks that run meanwhile must
            // count from the files' confirmation, not from the handshake.
            try await Task.sleep(for: heartbeatTimeout * 2)
            #expect(cluster.reliability.workersLost == 0)
            let count = try cluster.submit(Exec(["wc", "-c", "big.bin"]))
            #expect(String(decoding: try await count.value.standardOutput, as: UTF8.self) == "\(size) big.bin\n")
            #expect(cluster.reliability.workersLost == 0)
            return true
        }
    }

    private static func check(_ cluster: Cluster, expectedSum: String) async throws {
        let tool = try cluster.submit(Exec(["./tool.sh", "a"]))
        let sum = try cluster.submit(Exec(["cksum", "data.txt"]))
        #expect(String(decoding: try await tool.value.standardOutput, as: UTF8.self) == "tool a\n")
        #expect(String(decoding: try await sum.value.standardOutput, as: UTF8.self) == expectedSum)
    }

    /// What `cksum NAME` prints, run in `folder`.
    private static func cksum(_ path: String, in folder: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/cksum")
        process.arguments = [URL(fileURLWithPath: path).lastPathComponent]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: bytes, as: UTF8.self)
    }
}
