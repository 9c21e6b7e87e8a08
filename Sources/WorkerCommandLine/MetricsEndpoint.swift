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
        print("metrics at \(server.address.url)metrics")
        if !server.address.isLoopback {
            print("warning: the metrics at \(server.address) have no authentication: anyone who can reach that address can read them")
        }
        fflush(nil)
        try? await gracefulShutdown()
        await server.close()
    }
}
