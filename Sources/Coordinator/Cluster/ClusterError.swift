/// The cluster could not do what was asked: which worker or call, and why.
public struct ClusterError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { self.message }

    static let shutDown = ClusterError("cannot submit a job after the cluster was shut down")

    static func queueFull(_ limit: Int) -> ClusterError {
        ClusterError("the queue is full: \(limit) jobs wait for a worker (submitWhenRoom waits for room instead)")
    }
}
