@testable import FanoutCoordinator
import FanoutFlagServer
import FanoutLocking
import FanoutBuiltinJobs
import FanoutProtocol
import FanoutTestSupport
import Foundation
import Testing

/// Collects printed lines.
final class Transcript: Sendable {
    private let lines = Locked<[String]>([])
    var all: [String] { self.lines.withLock { $0 } }
    @Sendable func print(_ line: String) { self.lines.withLock { $0.append(line) } }
}

@Suite("The seed's workloads")
struct WorkloadTests {
    static func isPrime(_ n: UInt64) -> Bool {
        guard n >= 2 else { return false }
        var d: UInt64 = 2
        while d * d <= n {
            if n % d == 0 { return false }
            d += 1
        }
        return true
    }

    @Test("primes: every verdict is right, a line per number with its worker, and the count", arguments: [PoolKind.threads, .processes])
    func primes(pool: PoolKind) async throws {
        let numbers = RandomNumbers.draw(30, below: 2_000_000, seed: 11) + [0, 1, 2, 999_983]
        let transcript = Transcript()
        let summary = try await LocalCluster.with(workers: 2, pool: pool, size: 2) { cluster, local in
            let summary = try await PrimesWorkload(numbers: numbers, method: .trialDivisionToN).run(on: cluster, print: transcript.print)
            let workers = Set(local.addresses.map(\.description))
            let lines = transcript.all.dropLast()
            #expect(lines.count == numbers.count)
            var seen: [UInt64] = []
            for line in lines {
                let fields = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                let n = try #require(UInt64(fields[0]))
                #expect((fields[1] == "p") == Self.isPrime(n), "\(line)")
                #expect(workers.contains(fields[3]), "\(line)")
                seen.append(n)
            }
            #expect(seen.sorted() == numbers.sorted())
            return summary
        }
        #expect(summary.succeeded == numbers.count)
        #expect(!summary.failed)
        #expect(transcript.all.last?.hasPrefix("\(numbers.count) in ") == true)
        #expect(transcript.all.last?.hasSuffix(" seconds") == true)
    }

    @Test("flags: every saved flag is byte-identical to the served file", arguments: FlagsWorkload.Mode.allCases)
    func flags(mode: FlagsWorkload.Mode) async throws {
        let catalog = try FlagCatalog()
        let directory = try TemporaryDirectory()
        let countries = Array(Countries.sovereignStates.shuffled().prefix(25)) + ["Côte d'Ivoire", "Holy See (Vatican City State)"]
        let transcript = Transcript()
        let destination = directory.path
        let summary = try await LocalFlagServer.with(delay: .milliseconds(5)) { site in
            try await LocalCluster.with(workers: 2, size: 4) { cluster, _ in
                try await FlagsWorkload(countries: countries, site: site, destination: destination, mode: mode).run(on: cluster, print: transcript.print)
            }
        }
        #expect(summary.succeeded == countries.count)
        #expect(!summary.failed)
        for country in countries {
            let saved = try #require(FileManager.default.contents(atPath: directory.file(FlagSite.fileName(for: country))), "\(country)")
            let served = try #require(catalog.flag(forPath: "/" + FlagCatalog.fileName(for: country)))
            #expect(Array(saved) == Array(served.readableBytesView), "\(country)")
        }
        #expect(transcript.all.contains { $0.hasPrefix("\(countries.count) downloaded in ") })
        if mode == .submit {
            #expect(transcript.all.filter { $0.hasPrefix("scheduling future: <JobFuture") }.count == countries.count)
            #expect(transcript.all.filter { $0.hasPrefix("Executed future: '") }.count == countries.count)
        }
        if mode == .map {
            let printed = transcript.all.dropLast().map { String($0[..<($0.lastIndex(of: "(") ?? $0.endIndex)]).trimmingCharacters(in: .whitespaces) }
            #expect(printed == countries, "map prints in input order")
        }
    }

    @Test("flags: an unknown country fails with its reason and the rest download")
    func flagFailure() async throws {
        let transcript = Transcript()
        let summary = try await LocalFlagServer.with(delay: .zero) { site in
            try await LocalCluster.with(workers: 1) { cluster, _ in
                try await FlagsWorkload(countries: ["Chad", "Atlantis", "Peru"], site: site, destination: nil).run(on: cluster, print: transcript.print)
            }
        }
        #expect(summary.succeeded == 2)
        #expect(summary.failures.count == 1)
        #expect(summary.failures.first?.contains("Atlantis") == true)
        #expect(summary.failures.first?.contains("404") == true)
        #expect(transcript.all.contains { $0.hasPrefix("failed: Atlantis") })
    }

    @Test("every built-in country is served by flagserver")
    func builtInCountriesServed() throws {
        let catalog = try FlagCatalog()
        #expect(Countries.sovereignStates.count == 195)
        #expect(Set(Countries.sovereignStates).count == 195)
        for country in Countries.sovereignStates {
            #expect(catalog.flag(forPath: "/x/" + FlagCatalog.fileName(for: country)) != nil, "\(country)")
            let url = try FlagSite(pattern: "http://h/up/Flag_of_{}.svg").url(for: country)
            #expect(catalog.flag(forPath: String(url.dropFirst("http://h".count))) != nil, "\(country) via its URL")
        }
    }

    @Test("fib: both phases print every value with its worker, and their times")
    func fib() async throws {
        let transcript = Transcript()
        let summary = try await LocalCluster.with(workers: 2, pool: .processes, size: 1) { cluster, _ in
            try await FibonacciWorkload(range: 18...21, tasks: 3).run(on: cluster, print: transcript.print)
        }
        #expect(summary.succeeded == 2 * 3 * 4)
        let values: [String: String] = ["18": "2584", "19": "4181", "20": "6765", "21": "10946"]
        let results = transcript.all.filter { $0.hasPrefix("Fibonacci(") }
        #expect(results.count == 24)
        for line in results {
            let n = String(line.dropFirst("Fibonacci(".count).prefix { $0 != ")" })
            #expect(line.contains("= \(values[n] ?? "?") (127.0.0.1:"), "\(line)")
        }
        #expect(transcript.all.filter { $0.hasPrefix("Time taken: ") }.count == 2)
    }

    @Test("a seed draws the same numbers every time, below the bound")
    func seededNumbers() {
        let first = RandomNumbers.draw(100, below: 1000, seed: 5)
        #expect(first == RandomNumbers.draw(100, below: 1000, seed: 5))
        #expect(first != RandomNumbers.draw(100, below: 1000, seed: 6))
        #expect(first.allSatisfy { $0 < 1000 })
    }
}
