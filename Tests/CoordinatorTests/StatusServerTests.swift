import FanoutLocking
import FanoutObservability
import Logging
import NIOCore
import NIOHTTP1
import Testing

@Suite("Status server")
struct StatusServerTests {
    static let logger = Logger(label: "test.status")

    @Test("GET serves the page and /metrics, HEAD their headers alone; other paths are 404 and other methods 405")
    func routes() async throws {
        let scrapes = Locked(0)
        let routes = StatusRoutes(
            page: ByteBuffer(string: "<p>page</p>"),
            metrics: {
                let count = scrapes.withLock { count in
                    count += 1
                    return count
                }
                return ByteBuffer(string: "scrapes \(count)\n")
            }
        )
        let server = try await StatusServer.start(at: HTTPListenAddress(port: 0), routes: routes, logger: Self.logger)
        #expect(server.address.host == "127.0.0.1" && server.address.port != 0)
        let client = HTTPTestClient(port: server.address.port)

        let page = try await client.request("/")
        #expect(page.head.status == .ok && page.body == "<p>page</p>")
        #expect(page.head.headers["Content-Type"].first?.hasPrefix("text/html") == true)
        #expect(try await client.request("/metrics").body == "scrapes 1\n")
        #expect(try await client.request("/metrics?x=1").body == "scrapes 2\n", "a query string names the same path")
        let head = try await client.request("/metrics", method: .HEAD)
        #expect(head.head.status == .ok && head.body.isEmpty)
        #expect(try await client.request("/nowhere").head.status == .notFound)
        #expect(try await client.request("/events").head.status == .notFound, "no events route was given")
        let post = try await client.request("/", method: .POST)
        #expect(post.head.status == .methodNotAllowed && post.head.headers["Allow"] == ["GET, HEAD"])
        await server.close()
    }

    @Test("an event stream sends what its route writes, and close ends a stream still open")
    func events() async throws {
        let routes = StatusRoutes(events: { writer in
            try await writer.send("one\ntwo", event: "update")
            // Open until the server closes.
            try await Task.sleep(for: .seconds(3600))
        })
        let server = try await StatusServer.start(at: HTTPListenAddress(port: 0), routes: routes, logger: Self.logger)
        let client = HTTPTestClient(port: server.address.port)
        try await client.withResponse("/events") { head, parts in
            #expect(head.status == .ok)
            #expect(head.headers["Content-Type"].first?.hasPrefix("text/event-stream") == true)
            var buffered = ""
            let event = try await parts.nextEvent(buffered: &buffered)
            #expect(event == "one\ntwo")
            await server.close()
            // Cut off mid-response, the client's decoder may say so rather than see an end.
            let after = try? await parts.nextEvent(buffered: &buffered)
            #expect(after == nil, "the stream ended with the server")
        }
    }

    @Test("an address taken is a bind error that names it")
    func taken() async throws {
        let first = try await StatusServer.start(at: HTTPListenAddress(port: 0), routes: StatusRoutes(), logger: Self.logger)
        let error = await #expect(throws: StatusServerError.self) {
            _ = try await StatusServer.start(at: first.address, routes: StatusRoutes(), logger: Self.logger)
        }
        #expect(error?.code == .bindFailed)
        #expect(error?.message.contains("\(first.address)") == true)
        await first.close()
    }

    @Test("a kept-alive connection serves one request after another")
    func keepAlive() async throws {
        let server = try await StatusServer.start(
            at: HTTPListenAddress(port: 0),
            routes: StatusRoutes(page: ByteBuffer(string: "page"), metrics: { ByteBuffer(string: "metrics") }),
            logger: Self.logger
        )
        let responses = try await HTTPTestClient(port: server.address.port).requestsOnOneConnection(["/", "/metrics", "/nowhere", "/"])
        #expect(responses.map(\.head.status) == [.ok, .ok, .notFound, .ok])
        #expect(responses.map(\.body) == ["page", "metrics", "nothing at /nowhere\n", "page"])
        await server.close()
    }

    @Test("past its most connections at once, a connection is answered 503 and closed; one that leaves makes room")
    func connectionLimit() async throws {
        let server = try await StatusServer.start(at: HTTPListenAddress(port: 0), routes: StatusRoutes(page: ByteBuffer(string: "page")), logger: Self.logger)
        let client = HTTPTestClient(port: server.address.port)
        var idle: [HTTPTestClient.Connection] = []
        for _ in 0..<StatusServer.maximumConnections {
            idle.append(try await client.connect())
        }
        // Each idle connection is admitted as the server accepts it; a request on the last one proves they all were.
        let last = idle.removeLast()
        try await last.executeThenClose { inbound, outbound in
            var headers = HTTPHeaders()
            headers.add(name: "Host", value: "127.0.0.1")
            try await outbound.write(.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/", headers: headers)))
            try await outbound.write(.end(nil))
            var parts = inbound.makeAsyncIterator()
            guard case .head(let head)? = try await parts.next() else { throw HTTPTestClient.ClientError.noResponse }
            #expect(head.status == .ok)
            let refused = try await client.request("/")
            #expect(refused.head.status == .serviceUnavailable)
            #expect(refused.body.contains("\(StatusServer.maximumConnections) connections"))
        }
        // The last one has closed: its room is free once the server has seen it go.
        var status: HTTPResponseStatus = .serviceUnavailable
        while status == .serviceUnavailable {
            status = try await client.request("/").head.status
        }
        #expect(status == .ok)
        for connection in idle { try? await connection.channel.close() }
        await server.close()
    }
}
