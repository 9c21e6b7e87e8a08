import FanoutObservability
import FanoutWorker
import Logging
import Prometheus
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// `worker --metrics-listen`: the worker's `/metrics`, from start until the service group shuts down.
struct MetricsEndpoint: Service {
    let address: HTTPListenAddress
    let registry: PrometheusCollectorRegistry
    /// The worker whose load each scrape reads.
    let worker: WorkerServer
    let logger: Logger

    func run() async throws {
        let process = ProcessMetrics(registry: self.registry)
        let (worker, registry) = (self.worker, self.registry)
        let routes = StatusRoutes(metrics: {
            if let load = worker.load { worker.metrics?.refresh(load) }
            process.refresh()
            return .init(bytes: registry.emitToBuffer())
        })
        let server = try await StatusServer.start(at: self.address, routes: routes, logger: self.logger)
        // Standard error: standard output's first line is `listening on`, which launchers wait for.
        var line = "metrics at \(server.address.url)metrics\n"
        if !server.address.isLoopback {
            line += "warning: the metrics at \(server.address) have no authentication: anyone who can reach that address can read them\n"
        }
        line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
        try? await gracefulShutdown()
        await server.close()
    }
}
