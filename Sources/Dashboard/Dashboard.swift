import FanoutCoordinator
import FanoutLocking
import FanoutObservability
import Logging
import NIOCore
import Prometheus

/// A run's live dashboard and its `/metrics`, served over HTTP while the run goes and until ``close()``: the page
/// and `/metrics` on one address, `/metrics` alone on another, or both.
///
/// Add ``observers`` to the cluster's configuration, ``attach(_:)`` the cluster once it is up, and close the
/// dashboard once the run is over: each open page is sent the run's final state before its stream ends.
public final class Dashboard: Sendable {
    /// How often each open page is sent the run's state.
    public static let updateInterval: Duration = .milliseconds(250)
    /// How long ``close()`` waits for pages that stopped reading before it closes their connections.
    static let closeGrace: Duration = .seconds(2)

    /// Where the page (and `/metrics`) is served; nil when only metrics were asked for.
    public let pageAddress: HTTPListenAddress?
    /// Where `/metrics` alone is served; nil when it was not asked for.
    public let metricsAddress: HTTPListenAddress?
    public let monitor: RunMonitor
    public let metrics: ClusterMetrics
    private let servers: [StatusServer]
    private let shared: Shared
    private let ticker: Task<Void, Never>

    /// What the server's routes share with the dashboard.
    private final class Shared: Sendable {
        /// The run's cluster, once attached.
        let cluster = Locked<Cluster?>(nil)
        let streams = Locked(Streams())
    }

    /// The pages' event streams: parked between updates, woken by the ticker or by ``close()``.
    private struct Streams {
        enum Phase {
            /// Pages may open; each stream is sent an update at each tick.
            case serving
            /// ``close()`` was called: each stream is sent a last update and ends, and no new one opens.
            case closing
        }

        var phase = Phase.serving
        var open = 0
        /// Keys for the waiters below, one sequence for all.
        private var nextKey: UInt64 = 0
        /// Streams waiting for their next update, resumed with whether the dashboard is closing.
        var waiting = Waiters<UInt64, Bool>()
        /// Callers of ``close()``, waiting for the last stream to end.
        var draining = Waiters<UInt64, Void>()
        /// Callers of ``pageOpened()``, waiting for the first stream.
        var opening = Waiters<UInt64, Void>()

        mutating func key() -> UInt64 {
            defer { self.nextKey += 1 }
            return self.nextKey
        }
    }

    /// What the cluster passes to each observer.
    public var observers: [any JobObserver] { [self.monitor, self.metrics] }

    private init(
        pageAddress: HTTPListenAddress?,
        metricsAddress: HTTPListenAddress?,
        monitor: RunMonitor,
        metrics: ClusterMetrics,
        servers: [StatusServer],
        shared: Shared,
        ticker: Task<Void, Never>
    ) {
        self.pageAddress = pageAddress
        self.metricsAddress = metricsAddress
        self.monitor = monitor
        self.metrics = metrics
        self.servers = servers
        self.shared = shared
        self.ticker = ticker
    }

    /// Serves the page, its event stream and `/metrics` at `page`, and `/metrics` alone at `metrics`.
    ///
    /// - Throws: a ``StatusServerError`` when it cannot listen at either.
    public static func start(page: HTTPListenAddress?, metrics metricsAddress: HTTPListenAddress? = nil, logger: Logger) async throws -> Dashboard {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["fanout_job_duration_seconds"] = ClusterMetrics.durationBuckets
        let monitor = RunMonitor()
        let metrics = ClusterMetrics(factory: factory)
        let process = ProcessMetrics(registry: registry)
        let shared = Shared()
        let scrape: @Sendable () -> ByteBuffer = {
            if let cluster = shared.cluster.withLock({ $0 }) {
                metrics.refresh(status: cluster.status, reliability: cluster.reliability)
            }
            process.refresh()
            return ByteBuffer(bytes: registry.emitToBuffer())
        }
        let events: @Sendable (EventStreamWriter) async throws -> Void = { writer in
            try await Self.stream(to: writer, monitor: monitor, shared: shared)
        }
        var servers: [StatusServer] = []
        do {
            if let page {
                let routes = StatusRoutes(page: ByteBuffer(string: DashboardPage.html), metrics: scrape, events: events)
                servers.append(try await StatusServer.start(at: page, routes: routes, logger: logger))
            }
            if let metricsAddress {
                servers.append(try await StatusServer.start(at: metricsAddress, routes: StatusRoutes(metrics: scrape), logger: logger))
            }
        } catch {
            for server in servers { await server.close() }
            throw error
        }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.updateInterval)
                if let cluster = shared.cluster.withLock({ $0 }) { monitor.remember(cluster.status) }
                let due = shared.streams.withLock { $0.waiting.takeAll() }
                for stream in due { stream.resume(returning: false) }
            }
        }
        return Dashboard(
            pageAddress: page != nil ? servers.first?.address : nil,
            metricsAddress: metricsAddress != nil ? servers.last?.address : nil,
            monitor: monitor,
            metrics: metrics,
            servers: servers,
            shared: shared,
            ticker: ticker
        )
    }

    /// Shows `cluster`'s workers and queue from now on.
    public func attach(_ cluster: Cluster) {
        self.shared.cluster.withLock { $0 = cluster }
    }

    /// Returns once a page is open (its event stream connected), or the dashboard is closing.
    public func pageOpened() async {
        let shared = self.shared
        let key = shared.streams.withLock { $0.key() }
        await suspend(ifCancelled: ()) { waiter in
            shared.streams.withLock { streams in
                streams.open > 0 || streams.phase == .closing ? .now(()) : streams.opening.park(waiter, as: key)
            }
        } unpark: {
            shared.streams.withLock { $0.opening.take(key) }
        }
    }

    /// Sends each open page the run's state as it is now, ends their streams, and stops serving. A page that
    /// stopped reading is given ``closeGrace``, then cut off. Calling it again, or at once from two tasks, waits
    /// for the same.
    public func close() async {
        let (due, opening, key, drained) = self.shared.streams.withLock { streams in
            streams.phase = .closing
            return (streams.waiting.takeAll(), streams.opening.takeAll(), streams.key(), streams.open == 0)
        }
        for stream in due { stream.resume(returning: true) }
        for waiter in opening { waiter.resume() }
        if !drained {
            let shared = self.shared
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await suspend(ifCancelled: ()) { waiter in
                        shared.streams.withLock { streams in
                            streams.open == 0 ? .now(()) : streams.draining.park(waiter, as: key)
                        }
                    } unpark: {
                        shared.streams.withLock { $0.draining.take(key) }
                    }
                }
                group.addTask { try? await Task.sleep(for: Self.closeGrace) }
                await group.next()
                group.cancelAll()
            }
        }
        self.ticker.cancel()
        await self.ticker.value
        for server in self.servers { await server.close() }
    }

    /// One page's stream: the run's state at once, then at each tick, and a last time when the dashboard closes.
    private static func stream(to writer: EventStreamWriter, monitor: RunMonitor, shared: Shared) async throws {
        let (id, opening): (UInt64?, [Waiter<Void>]) = shared.streams.withLock { streams in
            guard streams.phase == .serving else { return (nil, []) }
            streams.open += 1
            return (streams.key(), streams.opening.takeAll())
        }
        for waiter in opening { waiter.resume() }
        defer {
            if id != nil {
                let drained = shared.streams.withLock { streams -> [Waiter<Void>] in
                    streams.open -= 1
                    return streams.open == 0 ? streams.draining.takeAll() : []
                }
                for waiter in drained { waiter.resume() }
            }
        }
        var cursor = RunMonitor.Cursor()
        var closing = id == nil
        while true {
            let attached = shared.cluster.withLock { $0 }
            let update = monitor.update(since: &cursor, status: attached?.status, reliability: attached?.reliability)
            try await writer.send(update.json, event: "update")
            guard !closing, let id else { return }
            closing = await suspend(ifCancelled: true) { waiter in
                shared.streams.withLock { streams in streams.phase == .closing ? .now(true) : streams.waiting.park(waiter, as: id) }
            } unpark: {
                shared.streams.withLock { $0.waiting.take(id) }
            }
        }
    }
}
