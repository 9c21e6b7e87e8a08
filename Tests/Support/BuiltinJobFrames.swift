import FanoutBuiltinJobs
import FanoutJobs
import FanoutProtocol
import NIOCore

/// Submits and outcomes of the built-in kinds as a worker running ``BuiltinJobs`` numbers them, for tests
/// that speak frames to a worker.
extension Submit {
    /// A submit of `job`, its kind numbered as in a built-in worker's hello. Built-in inputs always encode.
    public static func job<J: Job>(_ job: J, id: UInt64, attempt: UInt16 = 1, timeoutNanoseconds: UInt64 = 0) -> Submit {
        var payload = ByteBuffer()
        try! job.encodeInput(into: &payload)
        return Submit(
            jobID: JobID(id),
            attempt: attempt,
            kind: builtinKindID(J.kind),
            timeoutNanoseconds: timeoutNanoseconds,
            payload: payload
        )
    }
}

extension JobOutcome {
    /// The outcome of a `J` job whose output is `value`.
    public static func output<J: Job>(_ kind: J.Type, _ value: J.Output) -> JobOutcome {
        var buffer = ByteBuffer()
        try! J.encodeOutput(value, into: &buffer)
        return .ok(buffer)
    }

    /// The outcome of a job whose output is empty, as a sleep's or a no-op's.
    public static let empty = JobOutcome.ok(ByteBuffer())
}

/// The number a worker running the built-in kinds gives `kind`.
public func builtinKindID(_ kind: JobKindName) -> JobKindID {
    let index = BuiltinJobs.registered.names.firstIndex(of: kind)!
    return JobKindID(rawValue: UInt16(index))
}
