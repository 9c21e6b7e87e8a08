import NIOCore

/// Coordinator to worker: run this job.
public struct Submit: Hashable, Sendable {
    public var jobID: JobID
    /// 1 for the first run; the coordinator counts up when it runs a job again elsewhere.
    public var attempt: UInt16
    /// The job's kind, by its number in the worker's hello.
    public var kind: JobKindID
    /// How long the job may run on the worker, in nanoseconds; 0 means no limit.
    public var timeoutNanoseconds: UInt64
    /// The job's input, as its kind encodes it: the rest of the frame.
    public var payload: ByteBuffer

    public init(jobID: JobID, attempt: UInt16 = 1, kind: JobKindID, timeoutNanoseconds: UInt64 = 0, payload: ByteBuffer) {
        self.jobID = jobID
        self.attempt = attempt
        self.kind = kind
        self.timeoutNanoseconds = timeoutNanoseconds
        self.payload = payload
    }

    /// Bytes of a submit frame besides its payload: the frame header's type and flags and the fixed fields.
    public static let overhead = FrameHeader.typeAndFlagsLength + 20

    /// The largest payload whose submit frame fits `limits`.
    public static func maximumPayloadLength(within limits: FrameLimits) -> Int {
        limits.maximumFrameLength - Self.overhead
    }
}

extension Submit: WirePayload {
    init(wire buffer: inout ByteBuffer) throws {
        self.jobID = JobID(try buffer.readWireInteger(field: "submit.jobID"))
        self.attempt = try buffer.readWireInteger(field: "submit.attempt")
        self.kind = JobKindID(rawValue: try buffer.readWireInteger(field: "submit.kind"))
        self.timeoutNanoseconds = try buffer.readWireInteger(field: "submit.timeoutNanoseconds")
        self.payload = buffer.readSlice(length: buffer.readableBytes) ?? ByteBuffer()
    }

    func write(wire buffer: inout ByteBuffer) throws {
        buffer.writeMultipleIntegers(
            self.jobID.rawValue,
            self.attempt,
            self.kind.rawValue,
            self.timeoutNanoseconds
        )
        buffer.writeImmutableBuffer(self.payload)
    }
}
