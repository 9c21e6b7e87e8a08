import NIOCore
import NIOHTTP1
import NIOPosix

/// A plain HTTP server on loopback standing in for the flag website:
/// `/ok.svg` answers 200 with ``body``, `/redirect.svg` redirects there, `/missing.svg` answers 404, and
/// `/hang.svg` never answers.
struct FlagTestServer {
    static let body = "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"3\" height=\"2\"/></svg>"

    let channel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>

    var port: Int { self.channel.channel.localAddress?.port ?? 0 }

    func url(_ path: String) -> String { "http://127.0.0.1:\(self.port)\(path)" }

    static func with<Result: Sendable>(_ body: (FlagTestServer) async throws -> Result) async throws -> Result {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: child)
                }
            }
        let server = FlagTestServer(channel: channel)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            defer { group.cancelAll() }
            let result = try await body(server)
            try await channel.channel.close()
            return result
        }
    }

    private func serve() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await self.channel.executeThenClose { connections in
                for try await connection in connections {
                    group.addTask {
                        try? await connection.executeThenClose { inbound, outbound in
                            var parts = inbound.makeAsyncIterator()
                            while let part = try await parts.next() {
                                guard case .head(let head) = part else { continue }
                                switch head.uri {
                                case "/ok.svg":
                                    try await Self.respond(.ok, body: Self.body, to: outbound)
                                case "/redirect.svg":
                                    try await Self.respond(.found, headers: ["Location": "/ok.svg"], to: outbound)
                                case "/hang.svg":
                                    // Hold the connection open and never answer, until the client gives up.
                                    while try await parts.next() != nil {}
                                    return
                                default:
                                    try await Self.respond(.notFound, body: "no such flag", to: outbound)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static func respond(
        _ status: HTTPResponseStatus,
        headers: [String: String] = [:],
        body: String = "",
        to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws {
        var fields = HTTPHeaders(headers.map { ($0.key, $0.value) })
        fields.add(name: "Content-Length", value: "\(body.utf8.count)")
        try await outbound.write(contentsOf: [
            .head(HTTPResponseHead(version: .http1_1, status: status, headers: fields)),
            .body(.byteBuffer(ByteBuffer(string: body))),
            .end(nil),
        ])
    }
}
