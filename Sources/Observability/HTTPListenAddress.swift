import NIOCore

/// Where the dashboard or a metrics endpoint listens: `[HOST:]PORT`, the host 127.0.0.1 unless given, IPv6
/// hosts in brackets; port 0 picks a free port.
public struct HTTPListenAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public static let defaultHost = "127.0.0.1"

    public init(host: String = Self.defaultHost, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `PORT`, `HOST:PORT` or `[IPV6]:PORT`.
    ///
    /// - Parameter option: the flag the text came from, to name in the error.
    /// - Throws: a ``StatusServerError`` with code `invalidAddress` saying what does not read.
    public init(parsing text: String, option: String) throws {
        func invalid(_ why: String) -> StatusServerError {
            StatusServerError(.invalidAddress, "\(option) \"\(text)\": \(why); give [HOST:]PORT, as 8080 or 0.0.0.0:8080")
        }
        var host = Substring(Self.defaultHost)
        var portText = Substring(text)
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw invalid("a bracketed IPv6 host needs a port after it, as [::1]:8080")
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else if let colon = text.lastIndex(of: ":") {
            guard !text[..<colon].contains(":") else { throw invalid("an IPv6 host goes in brackets") }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty else { throw invalid("the host is empty") }
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw invalid("\"\(portText)\" is not a port from 0 to 65535")
        }
        self.init(host: String(host), port: port)
    }

    /// The bound address of a socket.
    init?(_ address: SocketAddress) {
        guard let ip = address.ipAddress, let port = address.port else { return nil }
        self.init(host: ip, port: port)
    }

    /// Whether only this machine can reach it.
    public var isLoopback: Bool {
        self.host == "localhost" || self.host.hasPrefix("127.") || self.host == "::1"
    }

    public var description: String {
        self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
    }

    /// `http://HOST:PORT/`.
    public var url: String { "http://\(self)/" }
}
