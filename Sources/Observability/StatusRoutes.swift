import NIOCore

/// What a ``StatusServer`` answers: `/` and `/metrics` to GET and HEAD, `/events` to GET; a route left nil is 404.
public struct StatusRoutes: Sendable {
    /// `/`: one HTML page.
    public var page: ByteBuffer?
    /// `/metrics`: Prometheus's text format, made anew for each scrape.
    public var metrics: (@Sendable () -> ByteBuffer)?
    /// `/events`: a server-sent event stream, for as long as this runs; it ends the response when it returns.
    public var events: (@Sendable (EventStreamWriter) async throws -> Void)?

    public init(
        page: ByteBuffer? = nil,
        metrics: (@Sendable () -> ByteBuffer)? = nil,
        events: (@Sendable (EventStreamWriter) async throws -> Void)? = nil
    ) {
        self.page = page
        self.metrics = metrics
        self.events = events
    }
}
