#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FanoutBuiltinJobs
import FanoutProtocol
import Foundation

/// Runs a command once per input across a cluster, as GNU Parallel does across hosts: each job's output printed
/// whole when it ends, a job log in GNU Parallel's format, resuming where a killed run stopped, and an exit
/// status that counts the failed jobs.
public struct ExecRun: Sendable {
    /// Which logged inputs a resumed run skips.
    public enum Resume: Hashable, Sendable {
        /// None: every input runs.
        case none
        /// Every input whose sequence number has a line in the job log (`--resume`).
        case logged
        /// Those whose line says it succeeded; the failed ones run again (`--resume-failed`).
        case succeeded
    }

    public var template: CommandTemplate
    public var timeout: Duration?
    public var environment: [EnvironmentVariable] = []
    public var workingDirectory: String?
    public var maximumOutputBytes = Exec.defaultMaximumOutputBytes
    /// Print in input order rather than as jobs end (`--keep-order`).
    public var keepOrder = false
    /// Put the input and a tab in front of each line of output (`--tag`).
    public var tag = false
    /// Write each job's `stdout`, `stderr` and `exitval` to `DIR/SEQ/` (`--results`).
    public var resultsDirectory: String?
    /// How many times a job is tried in all before it counts as failed, as GNU Parallel's `--retries`.
    public var tries = 1
    /// The job log to append to, in GNU Parallel's format (`--joblog`).
    public var jobLog: String?
    public var resume = Resume.none

    public init(template: CommandTemplate) {
        self.template = template
    }

    /// What a run did.
    public struct Summary: Hashable, Sendable {
        public var succeeded = 0
        public var failed = 0
        /// Inputs skipped because the job log says they were done.
        public var skipped = 0

        /// GNU Parallel's exit status: the number of failed jobs, at most 101.
        public var exitStatus: Int32 { Int32(min(self.failed, 101)) }
    }

    /// Where a run's output goes: the jobs' own bytes, and notes on what went wrong.
    public struct Output: Sendable {
        public var standardOutput: @Sendable ([UInt8]) -> Void
        public var standardError: @Sendable ([UInt8]) -> Void
        public var note: @Sendable (String) -> Void

        public init(
            standardOutput: @escaping @Sendable ([UInt8]) -> Void,
            standardError: @escaping @Sendable ([UInt8]) -> Void,
            note: @escaping @Sendable (String) -> Void
        ) {
            self.standardOutput = standardOutput
            self.standardError = standardError
            self.note = note
        }
    }

    /// One input's job, once it has ended however it ended.
    struct Finished: Sendable {
        var sequence: Int
        var input: String
        var command: String
        var outcome: Result<ExecOutcome, JobError>
        var worker: String?
        var timing: JobTiming?

        var succeeded: Bool {
            if case .success(let outcome) = self.outcome { return outcome.succeeded }
            return false
        }
    }

    /// Runs the command for each of `inputs`, the first being job 1.
    ///
    /// - Throws: ``ClusterError`` when the job log or results folder cannot be used; `CancellationError` when the
    ///   run is interrupted.
    public func run(inputs: [String], on cluster: Cluster, output: Output) async throws -> Summary {
        var summary = Summary()
        let logged = try self.jobLog.map { try ParallelJobLog.entries(at: $0) } ?? [:]
        let log = try self.jobLog.map { try ParallelJobLog(appendingTo: $0) }
        defer { log?.close() }
        var pending: [(sequence: Int, input: String)] = []
        for (index, input) in inputs.enumerated() {
            let sequence = index + 1
            if let entry = logged[sequence] {
                if self.resume == .logged || (self.resume == .succeeded && entry.succeeded) {
                    summary.skipped += 1
                    continue
                }
            }
            pending.append((sequence, input))
        }
        if let resultsDirectory {
            do {
                try FileManager.default.createDirectory(atPath: resultsDirectory, withIntermediateDirectories: true)
            } catch {
                throw ClusterError(.cannotWrite, "cannot make the results folder \(resultsDirectory): \(error)", cause: error)
            }
        }

        var printer = OrderedPrinter(order: pending.map(\.sequence), keepOrder: self.keepOrder)
        var refusingWorkers: Set<String> = []
        try await withThrowingTaskGroup(of: Finished.self) { group in
            var next = pending.makeIterator()
            let window = Swift.max(1, 2 * cluster.capacity)
            for _ in 0..<window {
                guard let (sequence, input) = next.next() else { break }
                group.addTask { try await self.runJob(sequence: sequence, input: input, on: cluster) }
            }
            while let finished = try await group.next() {
                if let (sequence, input) = next.next() {
                    group.addTask { try await self.runJob(sequence: sequence, input: input, on: cluster) }
                }
                if finished.succeeded { summary.succeeded += 1 } else { summary.failed += 1 }
                try log?.append(self.logEntry(finished))
                try self.writeResults(finished)
                if case .failure(let error) = finished.outcome, case .failed(let failure) = error.reason,
                    Self.isWorkerWide(failure)
                {
                    let worker = finished.worker ?? "a worker"
                    if refusingWorkers.insert(worker).inserted {
                        output.note("\(worker) refuses commands: \(failure.message)")
                    }
                }
                for ready in printer.finished(finished) {
                    self.print(ready, to: output)
                }
            }
        }
        return summary
    }

    /// Runs `input`'s job until it succeeds or has had its tries.
    private func runJob(sequence: Int, input: String, on cluster: Cluster) async throws -> Finished {
        let arguments = self.template.command(input: input, sequence: sequence)
        let job = Exec(
            arguments,
            shell: self.template.shell,
            environment: self.environment,
            workingDirectory: self.workingDirectory,
            maximumOutputBytes: self.maximumOutputBytes
        )
        var finished = Finished(sequence: sequence, input: input, command: job.inputDescription, outcome: .success(ExecOutcome(exitStatus: nil, signal: nil)))
        for attempt in 1...Swift.max(1, self.tries) {
            let future = try await cluster.submitWhenRoom(job, timeout: self.timeout)
            do {
                finished.outcome = .success(try await future.value)
            } catch let error as JobError {
                if error.reason == .cancelled { try Task.checkCancellation() }
                finished.outcome = .failure(error)
            }
            finished.worker = future.worker
            finished.timing = future.timing
            if finished.succeeded || attempt >= self.tries { break }
        }
        return finished
    }

    private func logEntry(_ finished: Finished) -> ParallelJobLog.Entry {
        let start = finished.timing?.started.map { Double($0) / 1e9 } ?? Date().timeIntervalSince1970
        var entry = ParallelJobLog.Entry(
            sequence: finished.sequence,
            host: finished.worker ?? ":",
            start: start,
            runtime: finished.timing.map { Double($0.ran.wireNanoseconds) / 1e9 } ?? 0,
            // GNU Parallel counts here the files a job sends of its own; files sent with --transfer go once per
            // worker, as its --basefile's do, and it does not count those either.
            sent: 0,
            received: 0,
            exitValue: 0,
            signal: 0,
            command: finished.command
        )
        switch finished.outcome {
        case .success(let outcome):
            entry.received = outcome.standardOutput.count + outcome.standardError.count
            entry.exitValue = Int(outcome.exitStatus ?? 0)
            entry.signal = Int(outcome.signal ?? 0)
        case .failure(let error):
            // It did not run to an exit: GNU Parallel's -1, and a timeout as the kill that ended it.
            entry.exitValue = -1
            if case .failed(let failure) = error.reason, failure.code == .jobTimedOut { entry.signal = Int(SIGKILL) }
        }
        return entry
    }

    private func writeResults(_ finished: Finished) throws {
        guard let resultsDirectory else { return }
        let folder = "\(resultsDirectory)/\(finished.sequence)"
        let (standardOutput, standardError, exitValue): ([UInt8], [UInt8], String) =
            switch finished.outcome {
            case .success(let outcome):
                (outcome.standardOutput, outcome.standardError, outcome.signal.map { "\(128 + $0)" } ?? "\(outcome.exitStatus ?? 0)")
            case .failure(let error):
                ([], Array("\(error)\n".utf8), "-1")
            }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Data(standardOutput).write(to: URL(fileURLWithPath: folder + "/stdout"))
            try Data(standardError).write(to: URL(fileURLWithPath: folder + "/stderr"))
            try Data((exitValue + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/exitval"))
        } catch {
            throw ClusterError(.cannotWrite, "cannot write the results of job \(finished.sequence) to \(folder): \(error)", cause: error)
        }
    }

    private func print(_ finished: Finished, to output: Output) {
        switch finished.outcome {
        case .success(let outcome):
            if !outcome.standardOutput.isEmpty { output.standardOutput(self.tagged(outcome.standardOutput, finished.input)) }
            if !outcome.standardError.isEmpty { output.standardError(self.tagged(outcome.standardError, finished.input)) }
            if outcome.standardOutputCut || outcome.standardErrorCut {
                output.note("job \(finished.sequence) (\(finished.input)): output cut at \(self.maximumOutputBytes) bytes (--max-output)")
            }
            if let signal = outcome.signal {
                output.note("job \(finished.sequence) (\(finished.input)) was killed by signal \(signal) on \(finished.worker ?? "?")")
            }
        case .failure(let error):
            if case .failed(let failure) = error.reason, Self.isWorkerWide(failure) { return }
            output.note("job \(finished.sequence) (\(finished.input)) failed: \(error)")
        }
    }

    /// A failure that every job on its worker meets, told once per worker rather than once per job: the worker
    /// refuses commands.
    private static func isWorkerWide(_ failure: JobFailure) -> Bool {
        failure.code == .notAllowed
    }

    /// `bytes` with the input and a tab in front of each line, when tagging.
    private func tagged(_ bytes: [UInt8], _ input: String) -> [UInt8] {
        guard self.tag else { return bytes }
        let prefix = Array((input + "\t").utf8)
        var tagged: [UInt8] = []
        tagged.reserveCapacity(bytes.count + prefix.count * 4)
        var atLineStart = true
        for byte in bytes {
            if atLineStart { tagged += prefix }
            tagged.append(byte)
            atLineStart = byte == UInt8(ascii: "\n")
        }
        return tagged
    }
}

/// Hands jobs over for printing as they end, or, keeping order, once every job before them has.
struct OrderedPrinter {
    private let order: [Int]
    private let keepOrder: Bool
    private var next = 0
    private var waiting: [Int: ExecRun.Finished] = [:]

    init(order: [Int], keepOrder: Bool) {
        self.order = order
        self.keepOrder = keepOrder
    }

    mutating func finished(_ job: ExecRun.Finished) -> [ExecRun.Finished] {
        guard self.keepOrder else { return [job] }
        self.waiting[job.sequence] = job
        var ready: [ExecRun.Finished] = []
        while self.next < self.order.count, let job = self.waiting.removeValue(forKey: self.order[self.next]) {
            ready.append(job)
            self.next += 1
        }
        return ready
    }
}
