import ArgumentParser
import FanoutCoordinator
import FanoutCoordinatorCommandLine
import FanoutJobs

extension CoordinatorCommand {
    struct Ping: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Each worker's host, version, pool, slots, cores, round-trip time and clock offset."
        )

        @OptionGroup var cluster: ClusterOptions

        func run() async throws {
            let unanswered = try await self.cluster.withCluster { cluster in
                var unanswered = 0
                for answer in await cluster.ping() {
                    let worker = answer.worker
                    let time = answer.roundTrip.map { String(format: "%.3f ms", $0.seconds * 1000) } ?? "no answer"
                    var offset = answer.clockOffset.map { String(format: "%+.3f ms", $0.seconds * 1000) } ?? "unknown"
                    if let bound = answer.clockOffsetBound { offset += String(format: " ± %.3f ms", bound.seconds * 1000) }
                    if answer.roundTrip == nil { unanswered += 1 }
                    printLine(
                        "\(worker.address)  host \(worker.hostName)  version \(worker.softwareVersion) (protocol \(worker.protocolVersion))  "
                            + "\(worker.capabilities.poolKind) × \(worker.capabilities.slots)  cores \(worker.capabilities.cores)  rtt \(time)  "
                            + "clock \(offset)"
                    )
                    // Batch kinds come with every kind; listing them would double the line for nothing.
                    let kinds = worker.capabilities.kinds.filter { !$0.name.hasSuffix(JobKindName.batchSuffix) }
                    printLine("    kinds \(kinds.map(\.description).joined(separator: ", "))")
                }
                return unanswered + cluster.unreachable.count
            }
            if unanswered > 0 { throw ExitCode.failure }
        }
    }
}
