import FanoutJobs
import FanoutLocking
import FanoutProtocol
import Logging
import NIOCore
import NIOSSL

/// A coordinator's connections to its workers, and the jobs it runs on them.
///
/// Open one with ``withCluster(workers:tls:configuration:logger:_:)``, as Python's
/// `with ThreadPoolExecutor() as executor:`; submit jobs and get futures back. Each worker is given up to its
/// slots plus a small prefetch at once, the next job going to the worker with the most room. When a worker is
/// lost its unfinished jobs run elsewhere; every future resolves exactly once.
public final class Cluster: Sendable, JobCanceller {
    public let configuration: ClusterConfiguration
    let logger: Logger

    let state: Locked<State>
    let counters = WireCounters()
    /// Ends the reconnect loops once every job is done.
    let stopped = StopSignal()
    /// The TLS context every connection, first or joining later, is made with.
    let tlsContext: NIOSSLContext
    let observers: ObserverQueue

    init(configuration: ClusterConfiguration, logger: Logger, tlsContext: NIOSSLContext) {
        self.configuration = configuration
        self.logger = logger
        self.tlsContext = tlsContext
        self.observers = ObserverQueue(configuration.observers)
        self.state = Locked(
            State(scheduler: JobScheduler(maximumAttempts: configuration.maximumAttempts), queueLimit: configuration.queueLimit)
        )
    }

    /// Connects to every worker, runs `body` with the cluster, then waits for every job and closes.
    ///
    /// A worker that cannot be reached is logged by name and left out (see ``unreachable``); when none can be
    /// reached this throws a ``ClusterError`` naming each and why. Two of
    /// ``ClusterConfiguration/transfers`` with one name throw a ``ClusterError`` (`duplicateFileName`) before any connection.
    public static func withCluster<Result: Sendable>(
        workers: [WorkerAddress],
        tls: TLSFiles,
        configuration: ClusterConfiguration = ClusterConfiguration(),
        logger: Logger = Logger(label: "fanout.coordinator"),
        _ body: (Cluster) async throws -> Result
    ) async throws -> Result {
        guard !workers.isEmpty else { throw ClusterError(.noWorkers, "no workers were given") }
        var names: Set<String> = []
        for file in configuration.transfers where !names.insert(file.name).inserted {
            throw ClusterError(.duplicateFileName, "two files to transfer are named \(file.name); a run folder holds one of each name")
        }
        let context = try MutualTLS.makeClientContext(files: tls)
        let cluster = Cluster(configuration: configuration, logger: logger, tlsContext: context)
        cluster.withState { state in
            for (index, address) in workers.enumerated() {
                state.links[WorkerID(rawValue: Int32(index))] = WorkerLink(address: address, joinedMidRun: false)
            }
            state.nextWorkerID = Int32(workers.count)
        }
        let (reports, report) = AsyncStream.makeStream(of: Void.self)
        // Tasks of their own, not children: when the run is cancelled (Ctrl-C), the connections must live on
        // through the grace period, to hear the running jobs' results and drain the workers.
        let connections = workers.indices.map { index in
            Task {
                await cluster.serve(WorkerID(rawValue: Int32(index)), context: context) {
                    report.yield()
                }
            }
        }
        let result: Swift.Result<Result, any Error>
        do {
            var reported = 0
            for await _ in reports {
                reported += 1
                if reported == workers.count { break }
            }
            try Task.checkCancellation()
            guard !cluster.workers.isEmpty else {
                let reasons = cluster.unreachable.map { "  \($0)" }.joined(separator: "\n")
                throw ClusterError(.unreachable, "no worker could be reached:\n\(reasons)")
            }
            let value = try await body(cluster)
            // Cancelled (Ctrl-C) while waiting for jobs the body left running: stopped like any interruption.
            guard await cluster.shutdown(wait: true) else { throw CancellationError() }
            result = .success(value)
        } catch {
            result = .failure(error)
            await cluster.stop(grace: configuration.stopGrace)
        }
        for connection in connections {
            await connection.value
        }
        await cluster.waitForJoinedWorkers()
        cluster.observers.post(.stopped(cluster.reliability))
        await cluster.observers.finish()
        return try result.get()
    }

    /// The workers connected now.
    public var workers: [ConnectedWorker] {
        self.withState { $0.connected.sorted { $0.key < $1.key }.map(\.value) }
    }

    /// The workers that could not be reached at start, and why.
    public var unreachable: [UnreachableWorker] {
        self.withState { $0.unreachable }
    }

    /// Frames and bytes exchanged with the workers so far.
    public var wireTraffic: WireTraffic { self.counters.traffic }

    /// Workers lost and found again, and jobs retried, so far.
    public var reliability: ReliabilityCounts {
        self.withState { state in
            var counts = ReliabilityCounts()
            counts.workersLost = state.workersLost
            counts.reconnections = state.reconnections
            counts.jobsRetried = state.scheduler.retries
            counts.lateResultsDropped = state.scheduler.lateResultsDropped
            return counts
        }
    }

    /// Jobs submitted so far.
    var submittedCount: Int {
        self.withState { Int($0.nextJobID) - 1 }
    }

    /// Jobs all workers together are given at once.
    public var capacity: Int {
        self.withState { $0.scheduler.totalCapacity }
    }

    /// Schedules `job`; its future resolves when a worker has run it.
    ///
    /// - Parameter timeout: how long the job may run on its worker before it fails.
    /// - Throws: ``ClusterError`` after ``shutdown(wait:cancelPending:)``, or when
    ///   ``ClusterConfiguration/queueLimit`` jobs already wait for a worker.
    // Inlinable, with what does not depend on `J` kept out of line, so that a caller's kind is encoded, and its
    // output decoded, by code compiled for it: unspecialized, a batch's items cost a generic metadata lookup
    // each.
    @inlinable
    public func submit<J: Job>(_ job: J, timeout: Duration? = nil) throws -> JobFuture<J.Output> {
        var input = ByteBuffer()
        do {
            try job.encodeInput(into: &input)
        } catch {
            throw Self.unencodable(J.kind, error)
        }
        let future = try self.submit(encoded: input, kind: J.kind, timeout: timeout) { job.inputDescription }
        return JobFuture(erased: future) { try J.decodeOutput(from: &$0) }
    }

    /// Schedules a job of `kind` whose input is `input`; `describe` gives its input for the observers.
    @usableFromInline
    func submit(
        encoded input: ByteBuffer,
        kind: JobKindName,
        timeout: Duration?,
        describe: () -> String
    ) throws -> AnyJobFuture {
        let limit = Submit.maximumPayloadLength(within: self.configuration.frameLimits)
        guard input.readableBytes <= limit else {
            throw ClusterError(
                .invalidJob,
                "a \(kind) job cannot be sent: its input is \(input.readableBytes) bytes, and a frame of at most "
                    + "\(self.configuration.frameLimits.maximumFrameLength) bytes holds \(limit)"
            )
        }
        let input = EncodedInput(input)
        let (future, unrunnable): (AnyJobFuture, JobError.Reason?) = try self.withState { state in
            guard !state.shutDown else { throw ClusterError.shutDown }
            guard state.scheduler.queuedCount < self.configuration.queueLimit else {
                throw ClusterError.queueFull(self.configuration.queueLimit)
            }
            let id = JobID(state.nextJobID)
            state.nextJobID += 1
            let future = AnyJobFuture(id: id, kind: state.clusterKind(kind, canceller: self), input: input)
            if let reason = state.unrunnable(future.clusterKind) { return (future, reason) }
            let assignments = state.scheduler.enqueue(
                future,
                kind: future.clusterKind.number,
                timeoutNanoseconds: timeout?.wireNanoseconds ?? 0
            )
            self.send(assignments, in: &state)
            return (future, nil)
        }
        if !self.observers.isEmpty {
            let input = describe()
            let observers = self.observers
            observers.post(.submitted(future))
            future.onCompletion { future in observers.post(.done(future, input: input)) }
        }
        if let unrunnable {
            future.resolve(.failure(JobError(job: future.id, kind: kind, worker: nil, attempts: 0, reason: unrunnable)))
        }
        return future
    }

    /// The error for a `kind` job whose input did not encode, throwing `error`.
    @usableFromInline
    static func unencodable(_ kind: JobKindName, _ error: any Error) -> ClusterError {
        ClusterError(.invalidJob, "a \(kind) job's input does not encode: \((error as? ProtocolError)?.message ?? "\(error)")", cause: error)
    }

    /// Submits `job`, whatever its type, and returns its future without its output type.
    func submitErased<J: Job>(_ job: J, timeout: Duration? = nil) throws -> AnyJobFuture {
        try self.submit(job, timeout: timeout).erased
    }

    /// As ``submit(_:timeout:)``, but when ``ClusterConfiguration/queueLimit`` jobs already wait for a worker,
    /// waits until one has left the queue.
    public func submitWhenRoom<J: Job>(_ job: J, timeout: Duration? = nil) async throws -> JobFuture<J.Output> {
        while true {
            do {
                return try self.submit(job, timeout: timeout)
            } catch let error as ClusterError where error.code == .queueFull {
                try await self.waitForRoom()
            }
        }
    }

    /// Returns once the queue has room, or the cluster takes no more jobs.
    private func waitForRoom() async throws {
        let limit = self.configuration.queueLimit
        let key = self.withState { state in
            defer { state.nextProducer += 1 }
            return state.nextProducer
        }
        await suspend(ifCancelled: ()) { producer in
            self.withState { state in
                guard state.scheduler.queuedCount >= limit, !state.shutDown else { return .now(()) }
                return state.producers.park(producer, as: key)
            }
        } unpark: {
            self.withState { $0.producers.take(key) }
        }
        try Task.checkCancellation()
    }

    /// Stops taking jobs. With `cancelPending`, every job not yet started is cancelled; with `wait`, returns
    /// once every job is done, and then tells the workers to drain.
    ///
    /// When the calling task is cancelled, stops waiting and leaves the jobs running; ``stop(grace:)`` ends
    /// them.
    ///
    /// - Returns: whether it waited for every job and told the workers to drain.
    @discardableResult
    public func shutdown(wait: Bool = true, cancelPending: Bool = false) async -> Bool {
        let unresolved = self.stopTakingJobs()
        if cancelPending {
            for future in unresolved { future.cancel() }
        }
        guard wait else { return false }
        for future in unresolved {
            await future.waitUntilDone()
        }
        // Cancelled while waiting: the jobs still running are left to stop(grace:).
        guard unresolved.allSatisfy(\.isDone) else { return false }
        // Every job is done: each worker gets the drain message, answers goodbye, and the connection ends.
        self.stopped.stop()
        let connections = self.withState { state in
            state.draining = true
            return Array(state.connections.values)
        }
        for connection in connections {
            connection.mailbox.post(.drain)
        }
        return true
    }

    /// Refuses further jobs, and wakes the producers waiting for room to hear so; returns the jobs not yet done.
    private func stopTakingJobs() -> [AnyJobFuture] {
        self.withState { state in
            state.shutDown = true
            state.wakeProducers()
            return state.scheduler.unresolved
        }
    }

    /// Ends the run early: jobs not yet started are cancelled, running ones have `grace` to finish, and those
    /// still running then fail with ``JobError/Reason/interrupted(grace:)``. The workers are told to drain, or,
    /// when a worker still holds a job that will not be waited for, goodbye; it finishes that job unheard.
    ///
    /// Runs to the end even when the calling task is cancelled, as it is on Ctrl-C.
    public func stop(grace: Duration) async {
        let unresolved = self.stopTakingJobs()
        for future in unresolved {
            _ = future.cancel()
        }
        let running = unresolved.filter { !$0.isDone }
        // A task of its own, so that the grace period is not cut short by the cancellation that stopped the run.
        let allDone = await Task {
            await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    for future in running { await future.waitUntilDone() }
                    return true
                }
                group.addTask {
                    try? await Task.sleep(for: grace)
                    return false
                }
                defer { group.cancelAll() }
                return await group.next() ?? false
            }
        }.value
        self.stopped.stop()
        let (abandoned, connections, stillHeld) = self.withState { state in
            state.draining = true
            let abandoned = allDone ? [] : state.scheduler.abandonAll()
            // Held still: abandoned jobs, and cancelled ones a worker had started before the cancel reached it.
            return (abandoned, Array(state.connections.values), state.scheduler.heldCount > 0)
        }
        for future in abandoned {
            future.resolve(
                .failure(JobError(job: future.id, kind: future.kind, worker: future.worker, attempts: future.attempts, reason: .interrupted(grace: grace)))
            )
        }
        for connection in connections {
            connection.mailbox.post(stillHeld ? .goodbye : .drain)
        }
    }

    /// Round trip to every connected worker, measured with a ping, and its clock offset.
    public func ping() async -> [WorkerPing] {
        let targets = self.withState { state in
            state.connected.sorted { $0.key < $1.key }.compactMap { id, worker in state.connections[id].map { (worker, $0) } }
        }
        var results: [WorkerPing] = []
        for (worker, connection) in targets {
            let answer = await connection.ping()
            let offset = connection.clockOffset
            results.append(
                WorkerPing(
                    worker: worker,
                    roundTrip: answer.flatMap { $0.pong.roundTripNanoseconds(receivedBack: $0.receivedAt) }.map { .nanoseconds($0) },
                    clockOffset: offset.map { .nanoseconds($0.offsetNanoseconds) },
                    clockOffsetBound: offset.map { .nanoseconds($0.roundTripNanoseconds / 2) }
                )
            )
        }
        return results
    }
}
