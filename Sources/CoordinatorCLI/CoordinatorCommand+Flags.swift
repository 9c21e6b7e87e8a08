import ArgumentParser
import FanoutCoordinator
import FanoutCoordinatorCommandLine
import Foundation

extension CoordinatorCommand {
    struct Flags: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download every country's flag on the cluster (the seed's flag downloaders).",
            discussion: """
                Prints each country as its flag arrives, with the worker that fetched it, then \
                `N downloaded in X seconds` and each failure with its reason. With local workers and no \
                --base-url, a local flagserver serves the flags.
                """
        )

        @OptionGroup var cluster: ClusterOptions
        @OptionGroup var options: FlagsOptions

        func run() async throws {
            let options = self.options
            let countries = try options.countryList()
            let isLocal = self.cluster.isLocal
            let summary = try await self.cluster.withCluster { cluster in
                try await options.run(countries, on: cluster, local: isLocal)
            }
            if summary.failed { throw ExitCode.failure }
        }
    }
}

struct FlagsOptions: ParsableArguments {
    @Option(help: "File of country names, one per line (default: the world's sovereign states).")
    var countries: String?

    @Option(help: "Flag URL pattern with {} for the name (default: the seed's site, or a local flagserver).")
    var baseURL: String?

    @Option(help: "Folder to save flags in.")
    var dest: String = "flags"

    @Option(help: "sequential, map or submit: which of the seed's programs to reproduce.")
    var mode: FlagsWorkload.Mode = .map

    func validate() throws {
        if let baseURL { _ = try FlagSite(pattern: baseURL) }
    }

    func countryList() throws -> [String] {
        guard let path = self.countries else { return Countries.sovereignStates }
        guard let file = FileHandle(forReadingAtPath: path) else {
            throw CommandError(description: "cannot read the countries file \(path)")
        }
        defer { try? file.close() }
        return String(decoding: file.readDataToEndOfFile(), as: UTF8.self)
            .split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    /// Runs the workload against `--base-url`, the seed's site, or a local flagserver started for it.
    func run(_ countries: [String], on cluster: Cluster, local: Bool) async throws -> WorkloadSummary {
        if let baseURL {
            return try await self.workload(countries, site: try FlagSite(pattern: baseURL)).run(on: cluster, print: printLine)
        }
        guard local else {
            return try await self.workload(countries, site: .seed).run(on: cluster, print: printLine)
        }
        return try await LocalFlagServer.with { site in
            try await self.workload(countries, site: site).run(on: cluster, print: printLine)
        }
    }

    private func workload(_ countries: [String], site: FlagSite) -> FlagsWorkload {
        FlagsWorkload(countries: countries, site: site, destination: self.dest, mode: self.mode)
    }
}

extension FlagsWorkload.Mode: ExpressibleByArgument {}
