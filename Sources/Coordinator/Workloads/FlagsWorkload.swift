import FanoutBuiltinJobs
import FanoutProtocol
import Foundation
import NIOCore

/// The seed's flag downloaders: every country's flag from a flag site, saved to a folder, in one of the
/// seed's three ways.
public struct FlagsWorkload: Sendable {
    /// Which of the seed's programs to reproduce.
    public enum Mode: String, CaseIterable, Sendable {
        /// `sequential_flag_download.py`: one flag at a time.
        case sequential
        /// `concurrent_flag_download.py`: `executor.map`, results in input order.
        case map
        /// The `executor.submit` and `as_completed` version, printing each future as scheduled and as done.
        case submit
    }

    public var countries: [String]
    public var site: FlagSite
    /// Folder to save flags in; nil saves nothing.
    public var destination: String?
    public var mode: Mode

    public init(countries: [String] = Countries.sovereignStates, site: FlagSite, destination: String?, mode: Mode = .map) {
        self.countries = countries
        self.site = site
        self.destination = destination
        self.mode = mode
    }

    /// Prints each country as its flag arrives (with the worker that fetched it), then
    /// `N downloaded in X seconds`, then each failure with its reason.
    public func run(on cluster: Cluster, print: @Sendable (String) -> Void) async throws -> WorkloadSummary {
        if let destination = self.destination {
            try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        }
        let start = ContinuousClock.now
        var summary = WorkloadSummary()
        switch self.mode {
        case .sequential:
            for country in self.countries {
                let future = try cluster.submit(self.job(country))
                await future.erased.waitUntilDone()
                try self.settle(future, country: country, into: &summary, print: print)
            }
        case .map:
            // The seed's map stops at the first failure; here every country is tried, so failures are listed.
            let futures = try self.countries.map { try cluster.submit(self.job($0)) }
            for (country, future) in zip(self.countries, futures) {
                await future.erased.waitUntilDone()
                try self.settle(future, country: country, into: &summary, print: print)
            }
        case .submit:
            var futures: [JobFuture<ByteBuffer>] = []
            var countries: [JobID: String] = [:]
            for country in self.countries {
                let future = try cluster.submit(self.job(country))
                futures.append(future)
                countries[future.id] = country
                print("scheduling future: \(future)")
            }
            for try await future in cluster.asCompleted(futures) {
                let country = countries[future.id] ?? "?"
                if try self.settle(future, country: country, into: &summary, print: { _ in }) {
                    print("Executed future: '\(country)' (\(future.worker ?? "?"))")
                } else {
                    print("Failed future: '\(country)': \(future.error.map(String.init(describing:)) ?? "?")")
                }
            }
        }
        summary.elapsed = ContinuousClock.now - start
        print("\(summary.succeeded) downloaded in \(String(format: "%.2f", summary.elapsed.seconds)) seconds")
        for failure in summary.failures {
            print("failed: \(failure)")
        }
        return summary
    }

    private func job(_ country: String) -> FlagDownload {
        FlagDownload(country: country, url: self.site.url(for: country))
    }

    /// Saves a downloaded flag and prints its country; records a failure. True when the flag was saved.
    @discardableResult
    private func settle(
        _ future: JobFuture<ByteBuffer>,
        country: String,
        into summary: inout WorkloadSummary,
        print: (String) -> Void
    ) throws -> Bool {
        do {
            let body = try future.result()
            if let destination = self.destination {
                let path = destination + "/" + FlagSite.fileName(for: country)
                guard FileManager.default.createFile(atPath: path, contents: Data(body.readableBytesView)) else {
                    throw ClusterError(.cannotWrite, "cannot write \(path)")
                }
            }
            summary.succeeded += 1
            print("\(country) (\(future.worker ?? "?"))")
            return true
        } catch let error as ClusterError where error.code == .cannotWrite {
            throw error
        } catch {
            summary.failures.append("\(country): \(error)")
            return false
        }
    }
}
