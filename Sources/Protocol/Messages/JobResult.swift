import NIOCore

/// Worker to coordinator: how a job ended, with the worker's own timings.
public struct JobResult: Hashable, Sendable {
    /// The slot value meaning "no slot ran it", as for a job cancelled while queued.
    public static let noSlot: UInt16 = .max

    public var jobID: JobID
    public var attempt: UInt16
    public var outcome: JobOutcome
    /// The slot that ran the job, nil when none did.
    public var slot: UInt16?
    /// Nanoseconds the job waited in the worker's queue.
    public var queueNanoseconds: UInt64
    /// Nanoseconds the job ran.
    public var runNanoseconds: UInt64
    /// The worker's wall clock when a slot took the job, in nanoseconds since the Unix epoch; 0 when none did.
    public var startedAt: UInt64

    public init(
        jobID: JobID,
        attempt: UInt16,
        outcome: JobOutcome,
        slot: UInt16?,
        queueNanoseconds: UInt64 = 0,
        runNanoseconds: UInt64 = 0,
        startedAt: UInt64 = 0
    ) {
        self.jobID = jobID
        self.attempt = attempt
        self.outcome = outcome
        self.slot = slot
        self.queueNanoseconds = queueNanoseconds
        self.runNanoseconds = runNanoseconds
        self.startedAt = startedAt
    }
}

extension JobResult: WirePayload {
    init(wire buffer: inout ByteBuffer) throws {
        self.jobID = JobID(try buffer.readWireInteger(field: "result.jobID"))
        self.attempt = try buffer.readWireInteger(field: "result.attempt")
        let status: JobOutcome.Status = try buffer.readWireEnum(field: "result.status", code: .unknownStatus)
        let slot: UInt16 = try buffer.readWireInteger(field: "result.slot")
        self.slot = slot == Self.noSlot ? nil : slot
        self.queueNanoseconds = try buffer.readWireInteger(field: "result.queueNanoseconds")
        self.runNanoseconds = try buffer.readWireInteger(field: "result.runNanoseconds")
        self.startedAt = try buffer.readWireInteger(field: "result.startedAt")
        self.outcome = try JobOutcome(status: status, wire: &buffer)
    }

    func write(wire buffer: inout ByteBuffer) throws {
        if let slot = self.slot, slot == Self.noSlot {
            throw ProtocolError(.invalidField, "result.slot \(slot) is reserved for \"no slot\"")
        }
        buffer.writeMultipleIntegers(
            self.jobID.rawValue,
            self.attempt,
            self.outcome.status.rawValue,
            self.slot ?? Self.noSlot,
            self.queueNanoseconds,
            self.runNanoseconds,
            self.startedAt
        )
        try self.outcome.writeBody(wire: &buffer)
    }
}

extension JobResult {
    /// Bytes of a result frame around a finished job's output: the frame header's type and flags and the
    /// fixed fields.
    public static let overhead = FrameHeader.typeAndFlagsLength + 37

    /// The largest output whose result frame fits `limits`.
    public static func maximumOutputLength(within limits: FrameLimits) -> Int {
        limits.maximumFrameLength - Self.overhead
    }
}
