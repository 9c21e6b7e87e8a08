import FanoutProtocol

/// A worker the cluster is connected to, as it introduced itself.
public struct ConnectedWorker: Hashable, Sendable, CustomStringConvertible {
    public var address: WorkerAddress
    public var hostName: String
    public var softwareVersion: String
    public var protocolVersion: ProtocolVersion
    public var capabilities: WorkerCapabilities
    /// Jobs the cluster gave it at once when it connected: its slots (or the hosts file's `slots=`) plus the
    /// least prefetch. The prefetch then follows its jobs (see ``ClusterConfiguration/maximumPrefetch``).
    public var capacity: Int

    public var description: String {
        "\(self.address) (\(self.hostName), \(self.capabilities.poolKind) × \(self.capabilities.slots))"
    }
}

/// A worker that could not be reached at start, and why.
public struct UnreachableWorker: Hashable, Sendable, CustomStringConvertible {
    public var address: WorkerAddress
    public var reason: String

    public var description: String { "\(self.address): \(self.reason)" }
}
