import FanoutProtocol

/// How a coordinator talks to its workers, with the defaults `coordinator` uses.
public struct ClusterConfiguration: Sendable {
    /// Jobs given to a worker beyond its slots, so no slot idles while a result travels back: the least.
    public var prefetch: Int
    /// The most jobs a worker is given beyond its slots. Between ``prefetch`` and this, each worker's prefetch
    /// follows its recent jobs: about `slots × round trip / run time`, deep for no-ops, shallow for long jobs.
    public var maximumPrefetch: Int
    /// Times a job is given to a worker before its future fails, when workers keep being lost under it.
    public var maximumAttempts: Int
    /// How long connecting, the TLS handshake and the hello may take, per worker.
    public var connectTimeout: Duration
    /// How often each worker is pinged.
    public var heartbeatInterval: Duration
    /// A worker not heard from for this long is lost: its jobs run elsewhere.
    public var heartbeatTimeout: Duration
    /// Jobs that may wait for a worker at once: past it, ``Cluster/submit(_:timeout:)`` throws and
    /// ``Cluster/submitWhenRoom(_:timeout:)`` waits, so that a producer faster than the workers is slowed rather
    /// than buffered without end.
    public var queueLimit: Int
    /// How a lost worker is dialled again; nil leaves it out for the rest of the run.
    public var reconnect: ReconnectPolicy?
    /// When a run stops early (its body throws or is cancelled, as on Ctrl-C): how long running jobs may go on
    /// before they are abandoned. Jobs not yet started are cancelled at once.
    public var stopGrace: Duration
    public var frameLimits: FrameLimits
    /// The host name the coordinator gives in its hello.
    public var hostName: String
    /// Told of every job as it is submitted and when it is done: job logs, progress. They are told in order, one
    /// event at a time, on a task of the cluster's own, and have all been told by the time
    /// ``Cluster/withCluster(workers:tls:configuration:logger:_:)`` returns.
    public var observers: [any JobObserver]
    /// Files sent to each worker's run folder on every connection, before its first job; their names differ.
    public var transfers: [TransferFile]

    public init(
        prefetch: Int = 2,
        maximumPrefetch: Int = 512,
        maximumAttempts: Int = 3,
        connectTimeout: Duration = .seconds(10),
        heartbeatInterval: Duration = .seconds(1),
        heartbeatTimeout: Duration = .seconds(5),
        queueLimit: Int = 1_000_000,
        reconnect: ReconnectPolicy? = ReconnectPolicy(),
        stopGrace: Duration = .seconds(10),
        frameLimits: FrameLimits = .default,
        hostName: String = HostName.current,
        observers: [any JobObserver] = [],
        transfers: [TransferFile] = []
    ) {
        self.prefetch = prefetch
        self.maximumPrefetch = maximumPrefetch
        self.maximumAttempts = maximumAttempts
        self.connectTimeout = connectTimeout
        self.heartbeatInterval = heartbeatInterval
        self.heartbeatTimeout = heartbeatTimeout
        precondition(queueLimit >= 1, "queueLimit must be at least 1")
        self.queueLimit = queueLimit
        self.reconnect = reconnect
        self.stopGrace = stopGrace
        self.frameLimits = frameLimits
        self.hostName = hostName
        self.observers = observers
        self.transfers = transfers
    }
}
