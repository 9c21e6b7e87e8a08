import FanoutProtocol

/// The cluster at one moment: each worker's connection and load, and the jobs waiting for one.
public struct ClusterStatus: Hashable, Sendable {
    /// Every worker of the run, connected or not, in the order they joined.
    public var workers: [WorkerStatus]
    /// Jobs waiting for a worker.
    public var jobsQueued: Int
    /// Jobs given to workers and not yet answered.
    public var jobsHeld: Int
    /// Jobs workers have said they started and not yet answered.
    public var jobsRunning: Int

    public init(workers: [WorkerStatus] = [], jobsQueued: Int = 0) {
        self.workers = workers
        self.jobsQueued = jobsQueued
        self.jobsHeld = workers.reduce(0) { $0 + $1.jobsHeld }
        self.jobsRunning = workers.reduce(0) { $0 + $1.jobsRunning }
    }
}

/// One worker as the cluster sees it now.
public struct WorkerStatus: Hashable, Sendable {
    /// Where its connection is.
    public enum Connection: String, Hashable, Sendable, CaseIterable {
        /// Being dialled for the first time.
        case connecting
        /// Connected, and sent jobs.
        case ready
        /// Lost, and waiting to be dialled again.
        case lost
        /// Lost, and being dialled again.
        case reconnecting
        /// Finishing the jobs it holds before it leaves the run.
        case draining
        /// Out of the run: never reached, given up on, or gone once the run ended.
        case closed
    }

    public var address: WorkerAddress
    public var connection: Connection
    /// As it introduced itself on its current connection; nil while it is not connected.
    public var worker: ConnectedWorker?
    /// Jobs given to it and not yet answered, started or waiting in its queue.
    public var jobsHeld: Int
    /// Jobs it said it started and has not answered.
    public var jobsRunning: Int
    /// The round trip of its last heartbeat; nil before the first.
    public var roundTrip: Duration?
    /// How far its clock runs ahead of the coordinator's, as the best recent heartbeat says; nil before the first.
    public var clockOffset: Duration?

    public init(
        address: WorkerAddress,
        connection: Connection,
        worker: ConnectedWorker? = nil,
        jobsHeld: Int = 0,
        jobsRunning: Int = 0,
        roundTrip: Duration? = nil,
        clockOffset: Duration? = nil
    ) {
        self.address = address
        self.connection = connection
        self.worker = worker
        self.jobsHeld = jobsHeld
        self.jobsRunning = jobsRunning
        self.roundTrip = roundTrip
        self.clockOffset = clockOffset
    }
}

extension Cluster {
    /// Every worker's connection and load, and the queue, now.
    public var status: ClusterStatus {
        self.withState { state in
            let workers = state.links.sorted { $0.key < $1.key }.map { id, link in
                let connection = state.connections[id]
                let load = state.scheduler.load(of: id)
                let offset = connection?.clockOffsetEstimate
                return WorkerStatus(
                    address: link.address,
                    connection: link.connection,
                    worker: state.connected[id],
                    jobsHeld: load.held,
                    jobsRunning: load.running,
                    roundTrip: offset?.latest.map { .nanoseconds($0.roundTripNanoseconds) },
                    clockOffset: offset?.best.map { .nanoseconds($0.offsetNanoseconds) }
                )
            }
            return ClusterStatus(workers: workers, jobsQueued: state.scheduler.queuedCount)
        }
    }
}

extension WorkerLink {
    /// Its state as ``WorkerStatus`` names it.
    var connection: WorkerStatus.Connection {
        switch self.state {
        case .connecting(nil): .connecting
        case .connecting: .reconnecting
        case .ready: .ready
        case .draining: .draining
        case .backingOff: .lost
        case .closed: .closed
        }
    }
}
