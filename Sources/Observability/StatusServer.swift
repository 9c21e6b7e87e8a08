import FanoutLocking
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small read-only HTTP/1.1 server for a run's dashboard page, its event stream and `/metrics`.
///
/// It answers GET and HEAD on ``StatusRoutes``' paths (GET alone on `/events`) and nothing else: no state
/// changes, no authentication. It serves at most ``maximumConnections`` connections at once, answering more
/// with 503, and closes a connection on which nothing was read or written for ``idleTimeout``.
public final class StatusServer: Sendable {
    /// Connections served at once; one more is answered 503 and closed.
    public static let maximumConnections = 64
    /// A connection idle this long, neither read nor written (an event stream writes four times a second), is closed.
    public static let idleTimeout: TimeAmount = .seconds(60)

    /// The address bound, its port picked when 0 was asked for.
    public let address: HTTPListenAddress
    private let listener: any Channel
    private let serving: Task<Void, Never>

    private typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    private init(address: HTTPListenAddress, listener: any Channel, serving: Task<Void, Never>) {
        self.address = address
        self.listener = listener
        self.serving = serving
    }

    /// Listens on `address` and serves `routes` until ``close()``.
    ///
    /// - Throws: a ``StatusServerError`` with code `bindFailed` naming the address, when it cannot listen there.
    public static func start(at address: HTTPListenAddress, routes: StatusRoutes, logger: Logger) async throws -> StatusServer {
        let listener: NIOAsyncChannel<Connection, Never>
        do {
            listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: address.host, port: address.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: Self.idleTimeout))
                        try channel.pipeline.syncOperations.addHandler(IdleCloser())
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        return try Connection(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw StatusServerError(.bindFailed, "cannot listen on \(address): \(error)", cause: error)
        }
        let bound = listener.channel.localAddress.flatMap(HTTPListenAddress.init) ?? address
        let serving = Task {
            let open = OpenConnections()
            do {
                try await listener.executeThenClose { connections in
                    try await withThrowingDiscardingTaskGroup { group in
                        for try await connection in connections {
                            let admitted = open.admit(upTo: Self.maximumConnections)
                            group.addTask {
                                defer { if admitted { open.leave() } }
                                await Self.serve(connection, admitted: admitted, routes: routes, logger: logger)
                            }
                        }
                    }
                }
            } catch {
                logger.debug("status server stopped", metadata: ["error": "\(error)"])
            }
        }
        return StatusServer(address: bound, listener: listener.channel, serving: serving)
    }

    /// Stops listening, ends every open response (event streams included), and returns once all are closed.
    public func close() async {
        self.serving.cancel()
        try? await self.listener.close()
        await self.serving.value
    }

    private static func serve(_ connection: Connection, admitted: Bool, routes: StatusRoutes, logger: Logger) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                for try await part in inbound {
                    guard case .head(let request) = part else { continue }
                    guard admitted else {
                        logger.warning("status server busy: a connection was refused", metadata: ["connections": "\(Self.maximumConnections)"])
                        var closing = request
                        closing.headers.replaceOrAdd(name: "Connection", value: "close")
                        try await Self.respond(closing, .serviceUnavailable, text: "busy: \(Self.maximumConnections) connections are open\n", outbound: outbound)
                        return
                    }
                    let keepAlive = try await Self.answer(request, routes: routes, outbound: outbound)
                    if !keepAlive { return }
                }
            }
        } catch {
            logger.debug("status connection ended", metadata: ["error": "\(error)"])
        }
    }

    /// Answers one request; whether the connection may serve another.
    private static func answer(
        _ request: HTTPRequestHead,
        routes: StatusRoutes,
        outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws -> Bool {
        let path = request.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard request.method == .GET || request.method == .HEAD else {
            try await Self.respond(request, .methodNotAllowed, text: "read-only: GET only\n", outbound: outbound, extra: [("Allow", "GET, HEAD")])
            return request.isKeepAlive
        }
        switch path {
        case "/" where routes.page != nil:
            try await Self.respond(request, .ok, body: routes.page!, type: "text/html; charset=utf-8", outbound: outbound)
        case "/metrics" where routes.metrics != nil:
            try await Self.respond(request, .ok, body: routes.metrics!(), type: "text/plain; version=0.0.4; charset=utf-8", outbound: outbound)
        case "/events" where routes.events != nil && request.method == .GET:
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "text/event-stream; charset=utf-8")
            headers.add(name: "Cache-Control", value: "no-cache")
            try await outbound.write(.head(HTTPResponseHead(version: request.version, status: .ok, headers: headers)))
            try await routes.events!(EventStreamWriter(outbound: outbound))
            try await outbound.write(.end(nil))
            return false
        default:
            try await Self.respond(request, .notFound, text: "nothing at \(path)\n", outbound: outbound)
        }
        return request.isKeepAlive
    }

    private static func respond(
        _ request: HTTPRequestHead,
        _ status: HTTPResponseStatus,
        text: String,
        outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
        extra: [(String, String)] = []
    ) async throws {
        try await Self.respond(request, status, body: ByteBuffer(string: text), type: "text/plain; charset=utf-8", outbound: outbound, extra: extra)
    }

    private static func respond(
        _ request: HTTPRequestHead,
        _ status: HTTPResponseStatus,
        body: ByteBuffer,
        type: String,
        outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
        extra: [(String, String)] = []
    ) async throws {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: type)
        headers.add(name: "Content-Length", value: "\(body.readableBytes)")
        headers.add(name: "Connection", value: request.isKeepAlive ? "keep-alive" : "close")
        for (name, value) in extra { headers.add(name: name, value: value) }
        try await outbound.write(contentsOf: [
            .head(HTTPResponseHead(version: request.version, status: status, headers: headers)),
            .body(.byteBuffer(request.method == .HEAD ? ByteBuffer() : body)),
            .end(nil),
        ])
    }
}

/// Connections being served, shared by the accepting loop and each connection's task.
private final class OpenConnections: Sendable {
    private let count = Locked(0)

    /// Counts one more connection if fewer than `limit` are open; false when it is turned away.
    func admit(upTo limit: Int) -> Bool {
        self.count.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func leave() {
        self.count.withLock { $0 -= 1 }
    }
}

/// Closes a connection once the `IdleStateHandler` before it says nothing was read or written for its timeout.
private final class IdleCloser: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .all {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

@available(*, unavailable)
extension IdleCloser: Sendable {}
