import NIOCore

/// A `HOST:PORT` to listen on, with IPv6 hosts in brackets.
public struct ListenAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` or `[IPV6]:PORT`; port 0 picks a free port.
    ///
    /// - Throws: a ``WorkerError`` with code `invalidListenAddress` saying what does not read.
    public init(parsing text: String) throws {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else {
                throw WorkerError(.invalidListenAddress, "\"\(text)\" needs a port after the bracketed address, as [::1]:7420")
            }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else {
                throw WorkerError(.invalidListenAddress, "\"\(text)\" is not HOST:PORT (IPv6 goes in brackets, as [::1]:7420)")
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty else { throw WorkerError(.invalidListenAddress, "\"\(text)\" has no host") }
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw WorkerError(.invalidListenAddress, "\"\(portText)\" in \"\(text)\" is not a port from 0 to 65535")
        }
        self.init(host: String(host), port: port)
    }

    /// The bound address of a socket, as `HOST:PORT`.
    public init?(_ address: SocketAddress) {
        guard let ip = address.ipAddress, let port = address.port else { return nil }
        self.init(host: ip, port: port)
    }

    public var description: String {
        self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
    }
}
