import FanoutProtocol

/// What the coordinator's side could not do, and why: a cluster call or a worker, a hosts file, a file to send,
/// certificates, an `exec` command line, a job log, a future asked too early. The one error type of this layer;
/// a job that ran and failed throws a ``JobError`` instead.
public struct ClusterError: CodedError, Sendable {
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
        /// An argument to a call is out of its range, or a pattern or option does not read.
        public static let invalidArgument = Code(name: "invalid-argument")
        /// A hosts file cannot be read, or a line of it does not parse; the message names the file and line.
        public static let invalidHostsFile = Code(name: "invalid-hosts-file")
        /// A file to send to the workers is not named as a single file name.
        public static let invalidFileName = Code(name: "invalid-file-name")
        /// A file to send to the workers cannot be read, or is not a regular file.
        public static let unreadableFile = Code(name: "unreadable-file")
        /// Two files to send with one run have the same name.
        public static let duplicateFileName = Code(name: "duplicate-file-name")
        /// A certificate folder is incomplete, or its CA does not hold together.
        public static let invalidCertificates = Code(name: "invalid-certificates")
        /// An `exec` run with no command, or a command line that cannot be read.
        public static let invalidCommand = Code(name: "invalid-command")
        /// An `exec` input source that cannot be read, or more than one.
        public static let invalidInputs = Code(name: "invalid-inputs")
        /// A job log that cannot be read to resume from, or written.
        public static let invalidJobLog = Code(name: "invalid-job-log")
        /// A folder or file for results or downloads that cannot be written.
        public static let cannotWrite = Code(name: "cannot-write")
        /// A job's result was asked for before it was done.
        public static let notDone = Code(name: "not-done")
        /// `asCompleted` or a `map` ran out of its time with jobs not done, as Python's `TimeoutError`.
        public static let timedOut = Code(name: "timed-out")
        /// A job run outside the cluster, as a benchmark's sequential baseline, failed.
        public static let jobFailed = Code(name: "job-failed")

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


    static let shutDown = ClusterError(.shutDown, "cannot submit a job after the cluster was shut down")

    static func queueFull(_ limit: Int) -> ClusterError {
        ClusterError(.queueFull, "the queue is full: \(limit) jobs wait for a worker (submitWhenRoom waits for room instead)")
    }
}
