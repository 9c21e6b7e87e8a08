import FanoutProtocol

/// The workers a coordinator connects to, one per line:
///
/// ```
/// # comment
/// worker-1.example.com
/// 10.0.0.7:7421 slots=8
/// [fd00::7]:7420        # IPv6 goes in brackets
/// ```
///
/// A line is `host[:port] [slots=N]`; the port defaults to ``WorkerPort/default``. Blank lines and
/// everything after `#` are ignored.
public struct HostsFile: Hashable, Sendable {
    public var path: String
    public var workers: [WorkerAddress]

    public init(path: String, workers: [WorkerAddress]) {
        self.path = path
        self.workers = workers
    }

    /// Reads and parses the file at `path`.
    public static func load(path: String) throws -> HostsFile {
        let contents: String
        do {
            contents = String(decoding: try LocalFile.read(path), as: UTF8.self)
        } catch {
            throw ClusterError(.invalidHostsFile, "\(path): cannot read the hosts file: \(error)", cause: error)
        }
        return try HostsFile(parsing: contents, path: path)
    }

    /// Parses `contents`; `path` names the file in errors.
    public init(parsing contents: String, path: String) throws {
        self.path = path
        self.workers = []
        var seen: [WorkerAddress: Int] = [:]
        for (index, rawLine) in contents.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            func fail(_ reason: String) -> ClusterError {
                ClusterError(.invalidHostsFile, "\(path):\(lineNumber): \(reason)")
            }
            let content = rawLine.prefix { $0 != "#" }
            let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let first = fields.first else { continue }

            var worker = try Self.parseAddress(String(first), fail: fail)
            for option in fields.dropFirst() {
                guard option.hasPrefix("slots=") else {
                    throw fail("unknown option \"\(option)\"; a line is host[:port] [slots=N]")
                }
                let value = option.dropFirst("slots=".count)
                guard let slots = Int(value), slots >= 1, slots <= Int(UInt16.max) else {
                    throw fail("slots must be a whole number from 1 to \(UInt16.max), not \"\(value)\"")
                }
                guard worker.slots == nil else { throw fail("slots is given twice") }
                worker.slots = slots
            }
            let key = WorkerAddress(host: worker.host, port: worker.port)
            if let earlier = seen[key] {
                throw fail("\(worker) is already listed on line \(earlier)")
            }
            seen[key] = lineNumber
            self.workers.append(worker)
        }
    }

    private static func parseAddress(_ text: String, fail: (String) -> ClusterError) throws -> WorkerAddress {
        let hostText: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw fail("\"\(text)\" opens a bracket for an IPv6 address but never closes it")
            }
            hostText = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else {
                    throw fail("\"\(text)\": after \"]\" only \":port\" may follow")
                }
                portText = rest.dropFirst()
            }
            guard case .ipv6? = WorkerHost(String(hostText)) else {
                throw fail("\"\(hostText)\" in brackets is not an IPv6 address")
            }
        } else {
            let colons = text.filter { $0 == ":" }.count
            if colons > 1 {
                throw fail("\"\(text)\" looks like an IPv6 address; write it in brackets, as [\(text)] or [\(text)]:port")
            }
            if let colon = text.firstIndex(of: ":") {
                hostText = text[..<colon]
                portText = text[text.index(after: colon)...]
            } else {
                hostText = Substring(text)
            }
        }

        guard let host = WorkerHost(String(hostText)) else {
            throw fail("\"\(hostText)\" is neither a host name nor an IP address")
        }
        var port = WorkerPort.default
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw fail("port must be a number from 1 to 65535, not \"\(portText)\"")
            }
            port = value
        }
        return WorkerAddress(host: host, port: port)
    }
}
