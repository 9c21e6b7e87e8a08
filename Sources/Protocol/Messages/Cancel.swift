import NIOCore

/// Coordinator to worker: drop this job if it waits, or stop it if it runs.
public struct Cancel: Hashable, Sendable {
    public var jobID: JobID

    public init(jobID: JobID) {
        self.jobID = jobID
    }
}

extension Cancel: WirePayload {
    init(wire buffer: inout ByteBuffer) throws {
        self.jobID = JobID(try buffer.readWireInteger(field: "cancel.jobID"))
    }

    func write(wire buffer: inout ByteBuffer) throws {
        buffer.writeInteger(self.jobID.rawValue)
    }
}
