import NIOCore

/// Coordinator to worker: run this job.
public struct Submit: Hashable, Sendable {
    public var jobID: JobID
    /// 1 for the first run; the coordinator counts up when it runs a job again elsewhere.
    public var attempt: UInt16
    /// How long the job may run on the worker, in nanoseconds; 0 means no limit.
    public var timeoutNanoseconds: UInt64
    public var spec: JobSpec

    public init(jobID: JobID, attempt: UInt16 = 1, timeoutNanoseconds: UInt64 = 0, spec: JobSpec) {
        self.jobID = jobID
        self.attempt = attempt
        self.timeoutNanoseconds = timeoutNanoseconds
        self.spec = spec
    }
}

extension Submit: WirePayload {
    init(wire buffer: inout ByteBuffer) throws {
        self.jobID = JobID(try buffer.readWireInteger(field: "submit.jobID"))
        self.attempt = try buffer.readWireInteger(field: "submit.attempt")
        let kind: JobKind = try buffer.readWireEnum(field: "submit.kind", code: .unknownJobKind)
        self.timeoutNanoseconds = try buffer.readWireInteger(field: "submit.timeoutNanoseconds")
        self.spec = try JobSpec(kind: kind, wire: &buffer)
    }

    func write(wire buffer: inout ByteBuffer) throws {
        buffer.writeMultipleIntegers(
            self.jobID.rawValue,
            self.attempt,
            self.spec.kind.rawValue,
            self.timeoutNanoseconds
        )
        try self.spec.write(wire: &buffer)
    }
}
