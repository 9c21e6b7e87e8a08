import FanoutCoordinator
import FanoutProtocol
import Testing

@Suite("Hosts file")
struct HostsFileTests {
    @Test("reads names, IPv4, bracketed IPv6, ports, slots, comments and blank lines")
    func parsesEveryForm() throws {
        let contents = """
            # the cluster
            worker-1.example.com
            10.0.0.7:7421 slots=8

            [fd00::7]:9000   # IPv6 in brackets
            [::1]
            \tLOCALHOST:1 slots=1\r
            """
        let file = try HostsFile(parsing: contents, path: "hosts.txt")
        #expect(
            file.workers == [
                WorkerAddress(host: .name("worker-1.example.com")),
                WorkerAddress(host: .ipv4([10, 0, 0, 7]), port: 7421, slots: 8),
                WorkerAddress(host: .ipv6([0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7]), port: 9000),
                WorkerAddress(host: .ipv6([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])),
                WorkerAddress(host: .name("localhost"), port: 1, slots: 1),
            ]
        )
        #expect(file.workers.map(\.description) == [
            "worker-1.example.com:\(WorkerPort.default)", "10.0.0.7:7421", "[fd00::7]:9000",
            "[::1]:\(WorkerPort.default)", "localhost:1",
        ])
    }

    @Test("an empty file has no workers")
    func emptyFile() throws {
        #expect(try HostsFile(parsing: "# nothing yet\n\n", path: "h").workers.isEmpty)
    }

    @Test(
        "a bad line names the file, the line and what is wrong",
        arguments: [
            ("fd00::1", "brackets"),
            ("[fd00::1", "never closes"),
            ("[fd00::1]x", "only \":port\""),
            ("[10.0.0.1]:80", "not an IPv6 address"),
            ("host:0", "port must be a number from 1 to 65535, not \"0\""),
            ("host:65536", "not \"65536\""),
            ("host:http", "not \"http\""),
            ("host:", "not \"\""),
            ("host slots=0", "slots must be a whole number"),
            ("host slots=many", "not \"many\""),
            ("host slots=2 slots=3", "slots is given twice"),
            ("host weight=2", "unknown option \"weight=2\""),
            ("under_score.example", "neither a host name nor an IP address"),
            ("-leading.example", "neither a host name nor an IP address"),
            ("10.0.0.256", "neither a host name nor an IP address"),
            ("a..b", "neither a host name nor an IP address"),
        ]
    )
    func badLine(line: String, reason: String) throws {
        let contents = "# header\ngood.example\n\(line)\n"
        let error = try #require(throws: ClusterError.self) {
            try HostsFile(parsing: contents, path: "cluster/hosts.txt")
        }
        #expect(error.code == .invalidHostsFile)
        #expect(error.message.contains(reason), "\(error)")
        #expect(error.message.hasPrefix("cluster/hosts.txt:3: "), "the file and line come first")
    }

    @Test("the same worker twice is refused, naming the first line")
    func duplicate() throws {
        let error = try #require(throws: ClusterError.self) {
            try HostsFile(parsing: "a.example\n\n10.0.0.1:7420\nA.example:\(WorkerPort.default)", path: "h")
        }
        #expect(error.code == .invalidHostsFile)
        #expect(error.message.hasPrefix("h:4: ") && error.message.contains("line 1"), "\(error)")
    }

    @Test("a missing file is reported by path")
    func missingFile() throws {
        let error = try #require(throws: ClusterError.self) {
            try HostsFile.load(path: "/nonexistent/hosts.txt")
        }
        #expect(error.code == .invalidHostsFile)
        #expect(error.description.contains("/nonexistent/hosts.txt"))
        #expect(error.description.contains("No such file"))
    }
}
