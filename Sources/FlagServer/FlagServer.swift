import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// The flag website, on this machine: GET `…/Flag_of_{Name}.svg` answers with the flag after `delay`, the
/// stand-in for the internet's round trip; anything else is 404.
public struct FlagServer: Sendable {
    public var catalog: FlagCatalog
    public var host: String
    public var port: Int
    public var delay: TimeAmount
    private let logger: Logger

    public init(catalog: FlagCatalog, host: String = "127.0.0.1", port: Int = 0, delay: TimeAmount = .milliseconds(100), logger: Logger) {
        self.catalog = catalog
        self.host = host
        self.port = port
        self.delay = delay
        self.logger = logger
    }

    /// Serves until the task is cancelled; `onListening` gets the bound address first.
    public func run(onListening: @Sendable (SocketAddress) -> Void = { _ in }) async throws {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: self.host, port: self.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        if let address = listener.channel.localAddress {
            onListening(address)
        }
        try await withThrowingDiscardingTaskGroup { group in
            try await withTaskCancellationHandler {
                try await listener.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { await self.serve(connection) }
                    }
                }
            } onCancel: {
                listener.channel.close(promise: nil)
            }
        }
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                for try await part in inbound {
                    guard case .head(let request) = part else { continue }
                    try await Task.sleep(nanoseconds: UInt64(max(0, self.delay.nanoseconds)))
                    let keepAlive = request.isKeepAlive
                    var headers = HTTPHeaders()
                    let status: HTTPResponseStatus
                    let body: ByteBuffer
                    if request.method == .GET || request.method == .HEAD, let flag = self.catalog.flag(forPath: request.uri) {
                        status = .ok
                        body = flag
                        headers.add(name: "Content-Type", value: "image/svg+xml")
                    } else {
                        status = .notFound
                        body = ByteBuffer(string: "no flag at \(request.uri)\n")
                        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
                    }
                    headers.add(name: "Content-Length", value: "\(body.readableBytes)")
                    headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
                    self.logger.debug("request", metadata: ["uri": "\(request.uri)", "status": "\(status.code)"])
                    try await outbound.write(contentsOf: [
                        .head(HTTPResponseHead(version: request.version, status: status, headers: headers)),
                        .body(.byteBuffer(request.method == .HEAD ? ByteBuffer() : body)),
                        .end(nil),
                    ])
                    if !keepAlive { return }
                }
            }
        } catch {
            self.logger.debug("connection ended", metadata: ["error": "\(error)"])
        }
    }
}
