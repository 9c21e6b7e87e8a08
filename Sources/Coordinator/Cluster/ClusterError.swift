/// The cluster could not do what was asked: which worker or call, and why.
public struct ClusterError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, to match on; the message says it for people.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String

        /// No workers were given, or fewer than a sweep asks for.
        public static let noWorkers = Code(name: "no-workers")
        /// No worker, or not every worker asked for, could be reached.
        public static let unreachable = Code(name: "unreachable")
        /// A worker answered the handshake wrongly, refused it, or the connection failed during it.
        public static let handshakeFailed = Code(name: "handshake-failed")
        /// A worker refused or could not store the run's files.
        public static let filesRefused = Code(name: "files-refused")
        /// A local worker or server did not start.
        public static let processDidNotStart = Code(name: "process-did-not-start")
        /// The cluster was shut down or stopped, and takes no more jobs or connections.
        public static let shutDown = Code(name: "shut-down")
        /// ``ClusterConfiguration/queueLimit`` jobs already wait for a worker.
        public static let queueFull = Code(name: "queue-full")
        /// A job's input does not encode, or does not fit a frame.
        public static let invalidJob = Code(name: "invalid-job")
        /// An argument to a call is out of its range.
        public static let invalidArgument = Code(name: "invalid-argument")

        public var description: String { self.name }
    }

    public var code: Code
    public var message: String
    /// The error behind this one, if any.
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { self.message }

    public static func == (lhs: ClusterError, rhs: ClusterError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.code)
        hasher.combine(self.message)
    }

    static let shutDown = ClusterError(.shutDown, "cannot submit a job after the cluster was shut down")

    static func queueFull(_ limit: Int) -> ClusterError {
        ClusterError(.queueFull, "the queue is full: \(limit) jobs wait for a worker (submitWhenRoom waits for room instead)")
    }
}
