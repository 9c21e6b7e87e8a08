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

    private struct State {
        var scheduler: JobScheduler
        /// Jobs the queue holds at most (``ClusterConfiguration/queueLimit``).
        let queueLimit: Int
        var nextJobID: UInt64 = 1
        var connections: [WorkerID: WorkerConnection] = [:]
        var connected: [WorkerID: ConnectedWorker] = [:]
        var unreachable: [UnreachableWorker] = []
        /// Workers lost and being dialled again; jobs of the kinds they run wait for them.
        var reconnecting: Set<WorkerID> = []
        /// The kinds each worker listed in its last hello.
        var kinds: [WorkerID: [JobKindName]] = [:]
        /// Every kind submitted, shared by its futures.
        var clusterKinds: [JobKindName: ClusterKind] = [:]
        var workersLost = 0
        var reconnections = 0
        var shutDown = false
        /// Every job is done and the workers have been told to drain; one that reconnects now is told at once.
        var draining = false
        /// Producers in ``Cluster/submitWhenRoom(_:timeout:)`` waiting for the queue to shrink.
        var producers: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextProducer: UInt64 = 0

        /// The kinds of the workers being dialled again.
        var expectedKinds: Set<JobKindName> {
            Set(self.reconnecting.flatMap { self.kinds[$0] ?? [] })
        }

        /// `kind` as this cluster knows it, numbered by the scheduler when first submitted.
        mutating func clusterKind(_ kind: JobKindName, canceller: any JobCanceller) -> ClusterKind {
            if let known = self.clusterKinds[kind] { return known }
            let known = ClusterKind(name: kind, number: self.scheduler.index(of: kind), canceller: canceller)
            self.clusterKinds[kind] = known
            return known
        }

        /// Why a job of `kind` cannot be queued now, if it cannot: no worker connected or coming back runs it.
        func unrunnable(_ kind: ClusterKind) -> JobError.Reason? {
            if self.scheduler.runs(number: kind.number) || self.expectedKinds.contains(kind.name) { return nil }
            guard self.scheduler.hasWorkers || !self.reconnecting.isEmpty else { return .noWorkers }
            return .kindNotRun(kind.name, workers: self.scheduler.kindsByWorker)
        }

        /// Wakes the waiting producers, to try again, once the queue has room or the cluster takes no more jobs.
        mutating func wakeProducers() {
            guard !self.producers.isEmpty, self.shutDown || self.scheduler.queuedCount < self.queueLimit else { return }
            for producer in self.producers.values { producer.resume() }
            self.producers = [:]
        }
    }

    private let state: Locked<State>
    private let counters = WireCounters()
    /// Ends the reconnect loops once every job is done.
    private let stopped = StopSignal()

    init(configuration: ClusterConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.state = Locked(
            State(scheduler: JobScheduler(maximumAttempts: configuration.maximumAttempts), queueLimit: configuration.queueLimit)
        )
    }

    /// Connects to every worker, runs `body` with the cluster, then waits for every job and closes.
    ///
    /// A worker that cannot be reached is logged by name and left out (see ``unreachable``); when none can be
    /// reached this throws a ``ClusterError`` naming each and why. Two of
    /// ``ClusterConfiguration/transfers`` with one name throw a ``TransferFileError`` before any connection.
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
            throw TransferFileError(.duplicateName, "two files to transfer are named \(file.name); a run folder holds one of each name")
        }
        let context = try MutualTLS.makeClientContext(files: tls)
        let cluster = Cluster(configuration: configuration, logger: logger)
        let (reports, report) = AsyncStream.makeStream(of: Void.self)
        // Tasks of their own, not children: when the run is cancelled (Ctrl-C), the connections must live on
        // through the grace period, to hear the running jobs' results and drain the workers.
        let connections = workers.enumerated().map { index, address in
            Task {
                await cluster.serve(WorkerID(rawValue: Int32(index)), at: address, context: context) {
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
        let reliability = cluster.reliability
        for observer in configuration.observers {
            observer.clusterStopped(reliability)
        }
        return try result.get()
    }

    /// The workers connected now.
    public var workers: [ConnectedWorker] {
        self.state.withLock { $0.connected.sorted { $0.key < $1.key }.map(\.value) }
    }

    /// The workers that could not be reached at start, and why.
    public var unreachable: [UnreachableWorker] {
        self.state.withLock { $0.unreachable }
    }

    /// Frames and bytes exchanged with the workers so far.
    public var wireTraffic: WireTraffic { self.counters.traffic }

    /// Workers lost and found again, and jobs retried, so far.
    public var reliability: ReliabilityCounts {
        self.state.withLock { state in
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
        self.state.withLock { Int($0.nextJobID) - 1 }
    }

    /// Jobs all workers together are given at once.
    public var capacity: Int {
        self.state.withLock { $0.scheduler.totalCapacity }
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
        let observers = self.configuration.observers
        let (future, unrunnable): (AnyJobFuture, JobError.Reason?) = try self.state.withLock { state in
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
        if !observers.isEmpty {
            let input = describe()
            for observer in observers { observer.jobSubmitted(future) }
            future.onCompletion { future in
                let record = JobRecord(future, input: input)
                for observer in observers { observer.jobDone(record) }
            }
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
        let key = self.state.withLock { state in
            defer { state.nextProducer += 1 }
            return state.nextProducer
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let waiting = self.state.withLock { state in
                    guard state.scheduler.queuedCount >= limit, !state.shutDown, !Task.isCancelled else { return false }
                    state.producers[key] = continuation
                    return true
                }
                if !waiting { continuation.resume() }
            }
        } onCancel: {
            self.state.withLock { $0.producers.removeValue(forKey: key) }?.resume()
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
        let connections = self.state.withLock { state in
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
        self.state.withLock { state in
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
        let (abandoned, connections, stillHeld) = self.state.withLock { state in
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
        let targets = self.state.withLock { state in
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

    // MARK: Jobs

    func cancel(_ future: AnyJobFuture) -> Bool {
        let decision = self.state.withLock { state in
            defer { state.wakeProducers() }
            return state.scheduler.cancel(future.id)
        }
        switch decision {
        case .unknown:
            return future.state == .cancelled
        case .running:
            return false
        case .removedFromQueue(let future):
            return future.resolveCancelled()
        case .withdrawn(let future, let worker):
            // A worker that started the job before the cancel reaches it runs it to the end; its result is
            // then dropped, as the future has already resolved.
            let connection = self.state.withLock { $0.connections[worker] }
            connection?.mailbox.post(.cancel(Cancel(jobID: future.id)))
            return future.resolveCancelled()
        }
    }

    /// Posts each assignment's submit to its worker, then wakes the producers waiting for room in the queue.
    /// Called under the state lock, so that what a worker is sent follows the scheduler's order: a cancel can
    /// never overtake the submit it withdraws.
    private func send(_ assignments: [JobScheduler.Assignment], in state: inout State) {
        defer { state.wakeProducers() }
        guard !assignments.isEmpty else { return }
        let connections = state.connections
        var batches: [WorkerID: [Message]] = [:]
        for assignment in assignments {
            if let connection = connections[assignment.worker] {
                assignment.future.assign(to: connection.name)
            }
            batches[assignment.worker, default: []].append(.submit(assignment.submit))
        }
        for (worker, messages) in batches {
            connections[worker]?.mailbox.post(messages)
        }
    }

    private func receive(_ message: Message, from connection: WorkerConnection) {
        connection.heard(message)
        switch message {
        case .started(let started):
            let future = self.state.withLock { $0.scheduler.started(started.jobID, attempt: started.attempt, on: connection.id) }
            future?.markRunning()
        case .result(let result):
            if case .failed(let failure) = result.outcome {
                switch failure.code {
                case .childDied:
                    return self.childDied(result, failure: failure, on: connection)
                case .shuttingDown, .queueFull:
                    return self.turnedAway(result, failure: failure, by: connection)
                default:
                    break
                }
            }
            let now = WireClock.now
            let future = self.state.withLock { state in
                let (future, assignments) = state.scheduler.answered(result, on: connection.id, at: now)
                self.send(assignments, in: &state)
                return future
            }
            guard let future else { return }
            let started = result.startedAt == 0 ? nil : connection.coordinatorTime(ofWorkerTime: result.startedAt)
            let timing = JobTiming(
                queued: .nanoseconds(Int64(clamping: result.queueNanoseconds)),
                ran: .nanoseconds(Int64(clamping: result.runNanoseconds)),
                slot: result.slot.map(Int.init),
                started: started?.time,
                startedBound: started?.bound
            )
            switch result.outcome {
            case .ok(let output):
                future.resolve(.output(output), timing: timing)
            case .failed(let failure):
                future.resolve(
                    .failure(
                        JobError(job: future.id, kind: future.kind, worker: connection.name, attempts: future.attempts, reason: .failed(failure))
                    ),
                    timing: timing
                )
            case .cancelled:
                future.resolveCancelled()
            }
        case .error(let report):
            self.logger.warning("worker reported an error", metadata: ["worker": "\(connection.name)", "error": "\(report)"])
        case .hello, .submit, .cancel, .drain, .goodbye, .ping, .pong, .put:
            break
        }
    }

    /// The worker turned `result`'s job away without running it: it goes to another worker, or back to this one
    /// when it has room.
    private func turnedAway(_ result: JobResult, failure: JobFailure, by connection: WorkerConnection) {
        let refused = self.state.withLock { state -> AnyJobFuture? in
            let future = state.scheduler.future(of: result.jobID, attempt: result.attempt, on: connection.id)
            let assignments = state.scheduler.refused(
                result.jobID,
                attempt: result.attempt,
                on: connection.id,
                draining: failure.code == .shuttingDown
            )
            future?.withdrawAttempt()
            self.send(assignments, in: &state)
            return future
        }
        if refused != nil {
            self.logger.debug("worker turned a job away", metadata: ["worker": "\(connection.name)", "reason": "\(failure)"])
        }
    }

    /// The child process that ran `result`'s job died: the job runs again, maybe elsewhere, as it would had the
    /// whole worker died under it.
    private func childDied(_ result: JobResult, failure: JobFailure, on connection: WorkerConnection) {
        let crash = self.state.withLock { state in
            let crash = state.scheduler.crashed(result.jobID, attempt: result.attempt, on: connection.id, error: failure.message)
            switch crash {
            case .stale:
                break
            case .retried(let future, let assignments):
                future?.markPending()
                self.send(assignments, in: &state)
            case .exhausted(_, _, let assignments):
                self.send(assignments, in: &state)
            }
            return crash
        }
        switch crash {
        case .stale:
            return
        case .retried(nil, _):
            return
        case .retried:
            self.logger.warning(
                "a job's child process died; running the job again",
                metadata: ["worker": "\(connection.name)", "job": "\(result.jobID)", "reason": "\(failure.message)"]
            )
        case .exhausted(let future, let error, _):
            future.resolve(.failure(error))
        }
    }

    // MARK: Connections

    /// How a connection ended.
    private enum ConnectionEnd {
        /// It never got past the handshake.
        case unreachable(String)
        /// It was served, then lost.
        case lost
    }

    /// Serves the worker at `address` for as long as the cluster runs: connects, serves the connection until it
    /// ends, then, if it was ever connected, connects again as ``ClusterConfiguration/reconnect`` says.
    ///
    /// `ready` is called once, when the first connection is up or has failed.
    private func serve(_ id: WorkerID, at address: WorkerAddress, context: NIOSSLContext, ready: @escaping @Sendable () -> Void) async {
        guard case .lost = await self.run(WorkerConnection(id: id, address: address), context: context, ready: ready),
            let policy = self.configuration.reconnect
        else { return }
        var failures = 0
        var lostAt = ContinuousClock.now
        var lastReason = "lost"
        while await self.stopped.sleep(for: policy.delay(before: failures)) {
            switch await self.run(WorkerConnection(id: id, address: address), context: context, ready: nil) {
            case .lost:
                failures = 0
                lostAt = .now
            case .unreachable(let reason):
                failures += 1
                lastReason = reason
                if ContinuousClock.now - lostAt >= policy.giveUpAfter {
                    self.logger.error(
                        "gave up reconnecting",
                        metadata: ["worker": "\(address)", "attempts": "\(failures)", "error": "\(reason)"]
                    )
                    return self.stopReconnecting(id, reason: "\(address) could not be reached again: \(lastReason)")
                }
                self.logger.debug("cannot reconnect yet", metadata: ["worker": "\(address)", "error": "\(reason)"])
            }
        }
        self.stopReconnecting(id, reason: "the cluster stopped")
    }

    /// `id` is no longer being dialled; if no worker is left, queued jobs fail.
    private func stopReconnecting(_ id: WorkerID, reason: String) {
        let stranded = self.state.withLock { state -> [(AnyJobFuture, JobError)] in
            guard state.reconnecting.remove(id) != nil else { return [] }
            defer { state.wakeProducers() }
            return state.scheduler.strandUnrunnable(expectedKinds: state.expectedKinds)
        }
        for (future, error) in stranded {
            future.resolve(.failure(error))
        }
    }

    /// Connects, shakes hands, then serves the connection until it ends.
    ///
    /// - Parameter ready: for a first connection, called once it is up or has failed; one that fails is then
    ///   listed in ``unreachable``.
    private func run(_ connection: WorkerConnection, context: NIOSSLContext, ready: (@Sendable () -> Void)?) async -> ConnectionEnd {
        let logger = {
            var logger = self.logger
            logger[metadataKey: "worker"] = "\(connection.name)"
            return logger
        }()
        let configuration = self.configuration
        var registered = false
        var endReason = "connection closed"
        var saidGoodbye = false
        do {
            let channel = try await WorkerConnection.open(
                connection.address,
                context: context,
                configuration: configuration,
                counters: self.counters,
                stopping: self.stopped
            )
            try await channel.executeThenClose { inbound, outbound in
                var messages = inbound.makeAsyncIterator()
                let hello = try await withDeadline(configuration.connectTimeout, channel: channel.channel) {
                    try await connection.handshake(&messages, outbound: outbound, configuration: configuration)
                }
                try await connection.sendFiles(
                    configuration,
                    to: outbound,
                    answers: &messages,
                    channel: channel.channel,
                    counters: self.counters
                )
                self.stopped.release(channel.channel)
                // A stop closes connections still in their handshake; one that finished just as it came is not
                // registered either. A stop after this drains it, as it does every connection.
                guard !self.stopped.isStopped else { throw ClusterError(.shutDown, "the cluster stopped before it connected") }
                self.register(connection, hello: hello, reconnected: ready == nil)
                registered = true
                logger.info(
                    ready == nil ? "reconnected" : "connected",
                    metadata: ["worker.host": "\(hello.hostName)", "worker.pool": "\(hello.capabilities?.poolKind.description ?? "?")"]
                )
                ready?()
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await connection.write(to: outbound, counters: self.counters) }
                    group.addTask {
                        await connection.keepAlive(
                            channel.channel,
                            interval: configuration.heartbeatInterval,
                            timeout: configuration.heartbeatTimeout
                        ) { reason in
                            self.lost(connection, reason: reason, crashed: false, logger: logger)
                        }
                    }
                    do {
                        while let message = try await messages.next() {
                            self.counters.receivedFrame()
                            self.receive(message, from: connection)
                            if case .goodbye = message {
                                saidGoodbye = true
                                break
                            }
                        }
                    } catch {
                        endReason = WorkerConnection.describe(error)
                    }
                    connection.closed()
                    group.cancelAll()
                }
            }
        } catch {
            endReason = WorkerConnection.describe(error)
            if !registered {
                let stopped = self.stopped.isStopped
                let reason = stopped ? "the cluster stopped before it connected" : (error as? ClusterError)?.message ?? endReason
                if let ready {
                    logger.log(level: stopped ? .debug : .error, "cannot reach worker", metadata: ["error": "\(reason)"])
                    self.state.withLock { $0.unreachable.append(UnreachableWorker(address: connection.address, reason: reason)) }
                    ready()
                }
                return .unreachable(reason)
            }
        }
        connection.closed()
        self.lost(connection, reason: saidGoodbye ? "it said goodbye" : endReason, crashed: !saidGoodbye, logger: logger)
        return .lost
    }

    private func register(_ connection: WorkerConnection, hello: Hello, reconnected: Bool) {
        let capabilities = hello.capabilities ?? WorkerCapabilities(poolKind: .threads, slots: 1, cores: 1, kinds: [])
        let slots = connection.address.slots ?? Int(capabilities.slots)
        let credit = WorkerCredit(slots: slots, minimumPrefetch: self.configuration.prefetch, maximumPrefetch: self.configuration.maximumPrefetch)
        let worker = ConnectedWorker(
            address: connection.address,
            hostName: hello.hostName,
            softwareVersion: hello.softwareVersion,
            protocolVersion: hello.protocolVersion,
            capabilities: capabilities,
            capacity: credit.limit
        )
        let stranded = self.state.withLock { state in
            state.connections[connection.id] = connection
            state.connected[connection.id] = worker
            if reconnected {
                state.reconnecting.remove(connection.id)
                state.reconnections += 1
            }
            state.kinds[connection.id] = capabilities.kinds
            let assignments = state.scheduler.addWorker(connection.id, name: connection.name, kinds: capabilities.kinds, credit: credit)
            self.send(assignments, in: &state)
            if state.draining {
                connection.mailbox.post(.drain)
            }
            // A worker back with other kinds (a new version, say) no longer keeps the old kinds' jobs waiting.
            return reconnected ? state.scheduler.strandUnrunnable(expectedKinds: state.expectedKinds) : []
        }
        for (future, error) in stranded {
            future.resolve(.failure(error))
        }
        for observer in self.configuration.observers {
            observer.workerConnected(worker, again: reconnected)
        }
    }

    /// The connection ended or went silent: its jobs go back to the queue, or fail when out of attempts or
    /// workers, and the worker is dialled again unless the cluster is done. Only the first call for a connection
    /// does anything.
    ///
    /// - Parameter crashed: whether the connection broke, rather than went silent or ended with a goodbye.
    private func lost(_ connection: WorkerConnection, reason: String, crashed: Bool, logger: Logger) {
        let outcome = self.state.withLock { state -> (JobScheduler.Loss, Bool)? in
            guard state.connections.removeValue(forKey: connection.id) != nil else { return nil }
            state.connected[connection.id] = nil
            if self.configuration.reconnect != nil && !self.stopped.isStopped {
                state.reconnecting.insert(connection.id)
            }
            let loss = state.scheduler.removeWorker(
                connection.id,
                error: reason,
                crashed: crashed,
                expectedKinds: state.expectedKinds
            )
            for future in loss.requeued { future.markPending() }
            self.send(loss.assignments, in: &state)
            let quiet = state.shutDown && loss.requeued.isEmpty && loss.exhausted.isEmpty && loss.stranded.isEmpty
            if !quiet { state.workersLost += 1 }
            return (loss, quiet)
        }
        guard let (loss, quiet) = outcome else { return }
        if quiet {
            logger.debug("disconnected")
        } else {
            logger.warning("worker lost", metadata: ["reason": "\(reason)", "jobs.retried": "\(loss.requeued.count)"])
            for observer in self.configuration.observers {
                observer.workerLost(connection.address, reason: reason)
            }
        }
        for (future, error) in loss.exhausted + loss.stranded {
            future.resolve(.failure(error))
        }
    }
}

/// Runs `body`, closing `channel` if it has not finished within `deadline`.
func withDeadline<T: Sendable>(
    _ deadline: Duration,
    channel: any Channel,
    _ body: () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            try await Task.sleep(for: deadline)
            channel.close(promise: nil)
        }
        defer { group.cancelAll() }
        return try await body()
    }
}
