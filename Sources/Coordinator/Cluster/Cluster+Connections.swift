import FanoutJobs
import FanoutLocking
import FanoutProtocol
import Logging
import NIOCore
import NIOSSL

/// Each worker's connections: dialled, shaken hands with, served, lost and dialled again, as its
/// ``WorkerLink`` says.
extension Cluster {
    /// Serves worker `id` for as long as its link lasts: dials, serves each connection until it ends, and dials
    /// again as its link and ``ClusterConfiguration/reconnect`` say.
    ///
    /// `ready` is called once, when the first connection is up or has failed.
    func serve(_ id: WorkerID, context: NIOSSLContext, ready: @escaping @Sendable () -> Void) async {
        let policy = self.configuration.reconnect
        var ready: (@Sendable () -> Void)? = ready
        while let address = self.withState({ $0.links[id]?.address }) {
            await self.connect(WorkerConnection(id: id, address: address), context: context, ready: ready)
            ready = nil
            guard case .dial(let delay) = self.withState({ $0.links[id]?.next(policy: policy) ?? .stop }) else { break }
            let awake = await self.stopped.sleep(for: delay)
            let (dialling, stranded) = self.withState { state -> (Bool, [(AnyJobFuture, JobError)]) in
                if !awake { state.links[id]?.stop() }
                guard state.links[id]?.dialAgain() == true else { return (false, state.strandUnrunnable()) }
                return (true, [])
            }
            Self.fail(stranded)
            guard dialling else { break }
        }
        // Served no more: a hosts file reloaded later may bring it back.
        self.withState { _ = $0.links.removeValue(forKey: id) }
    }

    /// Connects, shakes hands, then serves the connection until it ends, telling the worker's link.
    ///
    /// - Parameter ready: for a first connection, called once it is up or has failed; one that fails is then
    ///   listed in ``unreachable``.
    private func connect(_ connection: WorkerConnection, context: NIOSSLContext, ready: (@Sendable () -> Void)?) async {
        let logger = {
            var logger = self.logger
            logger[metadataKey: "worker"] = "\(connection.name)"
            return logger
        }()
        let configuration = self.configuration
        var opened: WorkerConnection.Channel?
        let channel: WorkerConnection.Channel
        let hello: Hello
        do {
            channel = try await connection.open(
                context: context,
                configuration: configuration,
                counters: self.counters,
                stopping: self.stopped
            )
            opened = channel
            hello = try await withDeadline(configuration.connectTimeout, channel: channel.channel) {
                try await connection.handshake(over: channel, configuration: configuration)
            }
            try await connection.sendFiles(configuration, over: channel, counters: self.counters)
            self.stopped.release(channel.channel)
            // A stop closes connections still in their handshake; one that finished just as it came is not
            // registered either. A stop after this drains it, as it does every connection.
            guard !self.stopped.isStopped else { throw ClusterError(.shutDown, "the cluster stopped before it connected") }
            try await channel.serve(
                heartbeatInterval: configuration.heartbeatInterval,
                timeout: configuration.heartbeatTimeout,
                silent: { reason in self.lost(connection, reason: reason, crashed: false, logger: logger) },
                { message in self.receive(message, from: connection) }
            )
        } catch {
            opened?.channel.close(promise: nil)
            return self.failedToConnect(connection, error: error, ready: ready, logger: logger)
        }
        let again = self.register(connection, hello: hello)
        logger.info(
            again ? "reconnected" : "connected",
            metadata: ["worker.host": "\(hello.hostName)", "worker.pool": "\(hello.capabilities?.poolKind.description ?? "?")"]
        )
        ready?()
        let end = try? await channel.ended()
        channel.channel.close(promise: nil)
        connection.closed()
        switch end {
        case .goodbye?:
            self.lost(connection, reason: "it said goodbye", crashed: false, logger: logger)
        case .failed(let error)?:
            self.lost(connection, reason: WorkerConnection.describe(error), crashed: true, logger: logger)
        case .closed?, nil:
            self.lost(connection, reason: "connection closed", crashed: true, logger: logger)
        }
    }

    /// The connection failed before it registered: the worker is left out, dialled again, or given up on.
    private func failedToConnect(_ connection: WorkerConnection, error: any Error, ready: (@Sendable () -> Void)?, logger: Logger) {
        let stopped = self.stopped.isStopped
        let reason =
            stopped
            ? "the cluster stopped before it connected" : (error as? ClusterError)?.message ?? WorkerConnection.describe(error)
        let (failure, stranded) = self.withState { state -> (WorkerLink.Failure, [(AnyJobFuture, JobError)]) in
            guard let wasAwaited = state.links[connection.id]?.isAwaited,
                let failure = state.links[connection.id]?.failedToConnect(
                    reason,
                    at: .now,
                    policy: self.configuration.reconnect,
                    stopped: stopped
                )
            else { return (.ended, []) }
            if failure == .unreachable {
                state.unreachable.append(UnreachableWorker(address: connection.address, reason: reason))
            }
            let awaited = state.links[connection.id]?.isAwaited ?? false
            return (failure, wasAwaited && !awaited ? state.strandUnrunnable() : [])
        }
        switch failure {
        case .unreachable:
            logger.log(level: stopped ? .debug : .error, "cannot reach worker", metadata: ["error": "\(reason)"])
        case .gaveUp(let attempts, let reason):
            logger.error("gave up reconnecting", metadata: ["attempts": "\(attempts)", "error": "\(reason)"])
        case .retrying, .ended:
            logger.debug("cannot reconnect yet", metadata: ["error": "\(reason)"])
        }
        ready?()
        Self.fail(stranded)
    }

    static func fail(_ stranded: [(AnyJobFuture, JobError)]) {
        for (future, error) in stranded {
            future.resolve(.failure(error))
        }
    }

    /// Adds the connected worker to the scheduler; returns whether it had been connected before.
    private func register(_ connection: WorkerConnection, hello: Hello) -> Bool {
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
        let (again, stranded) = self.withState { state -> (Bool, [(AnyJobFuture, JobError)]?) in
            state.connections[connection.id] = connection
            guard let link = state.links[connection.id] else { return (false, nil) }
            let (again, wasAwaited) = (link.isReconnection, link.isAwaited)
            guard state.links[connection.id]?.registered() == true else {
                // Taken out of the run while it connected: it gets no job, and leaves.
                state.post([.drain], to: connection)
                return (again, nil)
            }
            state.connected[connection.id] = worker
            if again { state.reconnections += 1 }
            state.kinds[connection.id] = capabilities.kinds
            let assignments = state.scheduler.addWorker(connection.id, name: connection.name, kinds: capabilities.kinds, credit: credit)
            self.send(assignments, in: &state)
            if state.draining {
                state.post([.drain], to: connection)
            }
            // A worker back with other kinds (a new version, say) no longer keeps the old kinds' jobs waiting, nor
            // does one that joined mid-run, now that its kinds are known.
            return (again, wasAwaited ? state.strandUnrunnable() : [])
        }
        guard let stranded else { return again }
        Self.fail(stranded)
        self.observers.post(.connected(worker, again: again))
        return again
    }

    /// The connection ended or went silent: its jobs go back to the queue, or fail when out of attempts or
    /// workers, and the worker is dialled again unless the cluster is done. Only the first call for a connection
    /// does anything.
    ///
    /// - Parameter crashed: whether the connection broke, rather than went silent or ended with a goodbye.
    private func lost(_ connection: WorkerConnection, reason: String, crashed: Bool, logger: Logger) {
        let outcome = self.withState { state -> (JobScheduler.Loss, Bool)? in
            guard state.connections.removeValue(forKey: connection.id) != nil else { return nil }
            state.connected[connection.id] = nil
            let retired = state.links[connection.id]?.retired ?? true
            _ = state.links[connection.id]?.lost(at: .now, policy: self.configuration.reconnect, stopped: self.stopped.isStopped)
            let loss = state.scheduler.removeWorker(
                connection.id,
                error: reason,
                crashed: crashed,
                expectedKinds: state.expectedKinds
            )
            for future in loss.requeued { future.markPending() }
            self.send(loss.assignments, in: &state)
            let quiet = (state.shutDown || retired) && loss.requeued.isEmpty && loss.exhausted.isEmpty && loss.stranded.isEmpty
            if !quiet { state.workersLost += 1 }
            return (loss, quiet)
        }
        guard let (loss, quiet) = outcome else { return }
        if quiet {
            logger.debug("disconnected")
        } else {
            logger.warning("worker lost", metadata: ["reason": "\(reason)", "jobs.retried": "\(loss.requeued.count)"])
            self.observers.post(.lost(connection.address, reason: reason))
        }
        Self.fail(loss.exhausted + loss.stranded)
    }
}
