import FanoutProtocol

/// One worker in a hosts file: where to reach it and, optionally, how many jobs to give it at once.
public struct WorkerAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: WorkerHost
    public var port: Int
    /// Overrides the slot count the worker announces, when set.
    public var slots: Int?

    public init(host: WorkerHost, port: Int = WorkerPort.default, slots: Int? = nil) {
        self.host = host
        self.port = port
        self.slots = slots
    }

    /// `host:port`, with IPv6 in brackets.
    public var description: String { "\(self.host.authority):\(self.port)" }
}
