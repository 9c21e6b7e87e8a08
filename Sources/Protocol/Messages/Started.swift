import NIOCore

/// Worker to coordinator (and process-pool child to worker): a job left the queue and is running.
public struct Started: Hashable, Sendable {
    public var jobID: JobID
    public var attempt: UInt16
    /// The pool slot running the job.
    public var slot: UInt16

    public init(jobID: JobID, attempt: UInt16, slot: UInt16) {
        self.jobID = jobID
        self.attempt = attempt
        self.slot = slot
    }
}

extension Started: WirePayload {
    init(wire buffer: inout ByteBuffer) throws {
        self.jobID = JobID(try buffer.readWireInteger(field: "started.jobID"))
        self.attempt = try buffer.readWireInteger(field: "started.attempt")
        self.slot = try buffer.readWireInteger(field: "started.slot")
    }

    func write(wire buffer: inout ByteBuffer) throws {
        buffer.writeMultipleIntegers(self.jobID.rawValue, self.attempt, self.slot)
    }
}
