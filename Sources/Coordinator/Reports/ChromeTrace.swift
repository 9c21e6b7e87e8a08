import FanoutLocking
import Foundation

/// A run in Chrome's trace-event format, which Perfetto (ui.perfetto.dev) and `chrome://tracing` open.
///
/// Each worker is a process and each of its slots a thread; each job is one complete event from when its slot
/// took it to when it stopped, on the coordinator's clock (each worker's clock mapped with the offset that
/// ping and pong estimate, as in ``Timeline``). Its arguments are the job's id, kind, input, attempt, slot,
/// outcome, time in the worker's queue and time on the network. A job no slot ran (cancelled while queued, or
/// failed with its worker) is an event from submit to end on a last process, "not run". Times are
/// microseconds from the first submit.
public final class ChromeTrace: JobObserver {
    private let records = Locked<[JobRecord]>([])

    public init() {}

    public func jobDone(_ record: JobRecord) {
        self.records.withLock { $0.append(record) }
    }

    public func jobsDone(_ records: ArraySlice<JobRecord>) {
        self.records.withLock { $0.append(contentsOf: records) }
    }

    /// The trace of every job done so far, as JSON.
    public func json() throws -> Data {
        try Self.json(self.records.withLock { $0 })
    }

    /// Writes the trace to `path`.
    public func write(to path: String) throws {
        try self.json().write(to: URL(fileURLWithPath: path))
    }

    static func json(_ records: [JobRecord]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(Trace(traceEvents: Self.events(records), displayTimeUnit: "ms"))
    }

    static func events(_ records: [JobRecord]) -> [Event] {
        let records = records.sorted { $0.job.rawValue < $1.job.rawValue }
        let origin = records.map(\.times.submitted).min() ?? 0
        func microseconds(_ time: UInt64) -> Double { time >= origin ? Double(time - origin) / 1000 : -Double(origin - time) / 1000 }

        let workers = Set(records.compactMap { $0.slotRun?.worker }).sorted()
        let pids = Dictionary(uniqueKeysWithValues: workers.enumerated().map { ($1, $0 + 1) })
        let notRun = workers.count + 1
        var events: [Event] = workers.map { .metadata("process_name", pid: pids[$0]!, name: $0) }
        var slots: Set<[Int]> = []
        var unrun = false
        for record in records {
            var args: [String: Value] = [
                "id": .integer(record.job.rawValue),
                "kind": .string(record.kind.description),
                "input": .string(record.input),
                "attempt": .integer(UInt64(record.attempts)),
                "state": .string("\(record.state)"),
            ]
            if let error = record.error { args["error"] = .string(error) }
            if let network = record.networkNanoseconds { args["network_us"] = .number(Double(network) / 1000) }
            let name = "\(record.kind.name) \(record.input)"
            if let run = record.slotRun, let pid = pids[run.worker] {
                args["slot"] = .integer(UInt64(run.slot))
                args["queue_us"] = .number(Double(record.timing?.queued.wireNanoseconds ?? 0) / 1000)
                if slots.insert([pid, run.slot]).inserted {
                    events.append(.metadata("thread_name", pid: pid, tid: run.slot + 1, name: "slot \(run.slot)"))
                }
                events.append(
                    Event(
                        name: name, cat: "\(record.state)", ph: "X", ts: microseconds(run.started), dur: Double(run.ended - run.started) / 1000,
                        pid: pid, tid: run.slot + 1, args: args
                    )
                )
            } else {
                if !unrun {
                    unrun = true
                    events.append(.metadata("process_name", pid: notRun, name: "not run"))
                }
                let span = record.submittedToEnded
                events.append(
                    Event(
                        name: name, cat: "\(record.state)", ph: "X", ts: microseconds(span.start), dur: Double(span.end - span.start) / 1000,
                        pid: notRun, tid: 1, args: args
                    )
                )
            }
        }
        return events
    }

    struct Trace: Encodable {
        var traceEvents: [Event]
        var displayTimeUnit: String
    }

    /// One trace event: a complete event (`ph` "X") or a name for a process or thread (`ph` "M").
    struct Event: Encodable {
        var name: String
        var cat: String?
        var ph: String
        var ts: Double?
        var dur: Double?
        var pid: Int
        var tid: Int?
        var args: [String: Value]

        static func metadata(_ kind: String, pid: Int, tid: Int? = nil, name: String) -> Event {
            Event(name: kind, cat: nil, ph: "M", ts: nil, dur: nil, pid: pid, tid: tid, args: ["name": .string(name)])
        }
    }

    enum Value: Encodable, Equatable {
        case string(String)
        case integer(UInt64)
        case number(Double)

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let value): try container.encode(value)
            case .integer(let value): try container.encode(value)
            case .number(let value): try container.encode(value)
            }
        }
    }
}
