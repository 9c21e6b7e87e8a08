import FanoutBuiltinJobs
import FanoutCoordinator
import FanoutDashboard
import FanoutObservability
import Foundation

/// What the dashboard costs a run of batched no-ops: served with no page open, and open in headless Chromium,
/// each against the same run without, alternating; and how long the page took to draw its updates.
struct DashboardCost {
    var served: Figure
    var open: Figure
    /// Served over without, run by run.
    var servedRatio: Figure
    /// Open over without, run by run.
    var openRatio: Figure
    var slowestUpdateMilliseconds: Figure
    var updates: Figure
}

extension Measurements {
    /// - Parameter probe: `benchmarks/page_probe.py`, which opens the page in Chromium and reports how it drew.
    func dashboardCost(chunksize: Int, probe: String) async throws -> DashboardCost {
        // Five times the plain batched run's jobs: about a second a run, so that a page's updates, four a second,
        // are measured at their steady rate rather than by whether one falls in a run of a fifth of a second.
        let jobs = self.quick ? 500_000 : 5_000_000
        func rate(_ dashboard: Dashboard?) async throws -> Double {
            try await self.onCluster(observers: dashboard?.observers ?? []) { cluster in
                dashboard?.attach(cluster)
                return try await Self.rate(of: jobs, on: cluster, chunksize: chunksize) { _ in NoOp() }
            }
        }
        var cost = (served: [Double](), open: [Double](), servedRatio: [Double](), openRatio: [Double](), slowest: [Double](), updates: [Double]())
        for _ in 0..<self.repeats {
            let without = try await rate(nil)

            let unwatched = try await Dashboard.start(page: HTTPListenAddress(port: 0), logger: self.logger)
            let served = try await rate(unwatched)
            await unwatched.close()

            let watched = try await Dashboard.start(page: HTTPListenAddress(port: 0), logger: self.logger)
            let page = try PageProbe(script: probe, url: watched.pageAddress!.url)
            try page.waitUntilOpened()
            let open = try await rate(watched)
            // The page is sent the final state, shows the run ended, and the probe reports.
            await watched.close()
            let drawn = try page.figures()

            cost.served.append(served)
            cost.open.append(open)
            cost.servedRatio.append(served / without)
            cost.openRatio.append(open / without)
            cost.slowest.append(drawn.slowestUpdateMilliseconds)
            cost.updates.append(Double(drawn.updates))
        }
        return DashboardCost(
            served: Figure(cost.served),
            open: Figure(cost.open),
            servedRatio: Figure(cost.servedRatio),
            openRatio: Figure(cost.openRatio),
            slowestUpdateMilliseconds: Figure(cost.slowest),
            updates: Figure(cost.updates)
        )
    }
}

/// `page_probe.py` on one page: it says `opened` once the page has drawn its first update, then a JSON line of
/// how the page drew once it shows the run ended.
private struct PageProbe {
    struct Figures: Decodable {
        var updates: Int
        var slowestUpdateMilliseconds: Double

        enum CodingKeys: String, CodingKey {
            case updates
            case slowestUpdateMilliseconds = "slowest_update_ms"
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let process = Process()
    let output = Pipe()

    init(script: String, url: String) throws {
        self.process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        self.process.arguments = ["python3", script, url]
        self.process.standardOutput = self.output
        try self.process.run()
    }

    /// The probe's next line; nil once it has exited.
    private func line() -> String? {
        var bytes: [UInt8] = []
        while true {
            let byte = self.output.fileHandleForReading.readData(ofLength: 1)
            guard let first = byte.first else { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if first == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(first)
        }
    }

    func waitUntilOpened() throws {
        guard self.line() == "opened" else { throw Failure(description: "the page probe did not open the dashboard") }
    }

    func figures() throws -> Figures {
        defer { self.process.waitUntilExit() }
        guard let line = self.line() else { throw Failure(description: "the page probe ended without its figures") }
        return try JSONDecoder().decode(Figures.self, from: Data(line.utf8))
    }
}
