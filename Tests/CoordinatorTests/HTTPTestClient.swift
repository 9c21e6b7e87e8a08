import NIOCore
import NIOHTTP1
import NIOPosix

/// A plain HTTP/1.1 client on loopback, for the status server's tests: one request per connection.
struct HTTPTestClient {
    typealias Connection = NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>

    let port: Int

    struct Response {
        var head: HTTPResponseHead
        var body: String
    }

    /// Sends one request and reads the whole response.
    func request(_ path: String, method: HTTPMethod = .GET) async throws -> Response {
        try await self.withResponse(path, method: method) { head, parts in
            var body = ""
            while let part = try await parts.next() {
                if case .body(let buffer) = part { body += String(buffer: buffer) }
                if case .end = part { break }
            }
            return Response(head: head, body: body)
        }
    }

    /// Sends `paths` one after another on one kept-alive connection, reading each whole response before the next.
    func requestsOnOneConnection(_ paths: [String]) async throws -> [Response] {
        let connection = try await self.connect()
        return try await connection.executeThenClose { inbound, outbound in
            var parts = inbound.makeAsyncIterator()
            var responses: [Response] = []
            for path in paths {
                var headers = HTTPHeaders()
                headers.add(name: "Host", value: "127.0.0.1")
                try await outbound.write(.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)))
                try await outbound.write(.end(nil))
                guard case .head(let head)? = try await parts.next() else { throw ClientError.noResponse }
                var body = ""
                while let part = try await parts.next() {
                    if case .body(let buffer) = part { body += String(buffer: buffer) }
                    if case .end = part { break }
                }
                responses.append(Response(head: head, body: body))
            }
            return responses
        }
    }

    /// A connection on which nothing is sent.
    func connect() async throws -> Connection {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: self.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// Sends one request and hands `body` the response's head and the rest of its parts as they arrive.
    func withResponse<Result: Sendable>(
        _ path: String,
        method: HTTPMethod = .GET,
        _ body: (HTTPResponseHead, inout NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator) async throws -> Result
    ) async throws -> Result {
        let connection = try await self.connect()
        return try await connection.executeThenClose { inbound, outbound in
            var headers = HTTPHeaders()
            headers.add(name: "Host", value: "127.0.0.1")
            headers.add(name: "Connection", value: "close")
            try await outbound.write(.head(HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)))
            try await outbound.write(.end(nil))
            var parts = inbound.makeAsyncIterator()
            guard case .head(let head)? = try await parts.next() else { throw ClientError.noResponse }
            return try await body(head, &parts)
        }
    }

    enum ClientError: Error {
        case noResponse
    }
}

extension NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator {
    /// The next server-sent event's data lines, joined; nil once the response has ended.
    mutating func nextEvent(buffered: inout String) async throws -> String? {
        while true {
            if let end = buffered.range(of: "\n\n") {
                let event = buffered[..<end.lowerBound]
                buffered = String(buffered[end.upperBound...])
                let data = event.split(separator: "\n").filter { $0.hasPrefix("data: ") }.map { $0.dropFirst(6) }
                if data.isEmpty { continue }
                return data.joined(separator: "\n")
            }
            switch try await self.next() {
            case .body(let buffer)?: buffered += String(buffer: buffer)
            case .head?: continue
            case .end?, nil: return nil
            }
        }
    }
}
