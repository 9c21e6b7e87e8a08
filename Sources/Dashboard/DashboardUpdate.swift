/// What the dashboard page is sent each time it updates: the whole run in figures, and the task stream's bars
/// new since the page's last update. Times are milliseconds since the run's first submit.
public struct DashboardUpdate: Sendable {
    /// Now, on the same scale as the bars.
    public var now: Double
    /// The run has ended: this is its final state.
    public var ended: Bool
    public var totals: Totals
    public var kinds: [KindProgress]
    public var workers: [WorkerPanel]
    /// Bars of jobs ended since the last update, oldest first.
    public var bars: [Bar]
    /// Bars left out because more ended since the last update than one update carries.
    public var barsSkipped: UInt64
    /// The latest failures, newest first.
    public var failures: [Failure]

    public struct Totals: Sendable, Equatable {
        public var submitted = 0
        public var finished = 0
        public var failed = 0
        public var cancelled = 0
        public var queued = 0
        public var running = 0
        public var retried = 0
        public var workersLost = 0
    }

    /// One kind's progress.
    public struct KindProgress: Sendable, Equatable {
        public var kind: String
        public var submitted: Int
        public var finished: Int
        public var failed: Int
        public var cancelled: Int
        /// Jobs ended per second, over the last few seconds.
        public var rate: Double
        /// Seconds until the jobs submitted so far are done at that rate; nil when none are left or none end.
        public var secondsLeft: Double?
    }

    /// One worker's panel.
    public struct WorkerPanel: Sendable, Equatable {
        public var address: String
        public var hostName: String?
        public var pool: String?
        public var slots: Int?
        public var busy: Int
        public var held: Int
        public var finished: Int
        public var failed: Int
        public var roundTripMilliseconds: Double?
        public var clockOffsetMilliseconds: Double?
        public var state: String
    }

    /// One job on one worker slot.
    public struct Bar: Sendable, Equatable {
        public var sequence: UInt64
        public var worker: String
        public var slot: Int
        public var kind: String
        public var job: UInt64
        public var input: String
        public var start: Double
        public var end: Double
        public var state: String
        /// Tried more than once: its worker was lost or died under it.
        public var retried: Bool
    }

    /// A job that failed, or a worker lost.
    public struct Failure: Sendable, Equatable {
        public var at: Double
        /// The job's kind and input, or the worker's address.
        public var what: String
        public var worker: String?
        public var reason: String
    }
}
