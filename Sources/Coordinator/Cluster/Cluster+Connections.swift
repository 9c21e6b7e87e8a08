import FanoutJobs
import FanoutLocking
import FanoutProtocol
import Logging
import NIOCore
import NIOSSL

/// Each worker's connection: dialled, shaken hands with, served, lost and dialled again.
extension Cluster {
    /// How a connection ended.
    enum ConnectionEnd {
        /// It never got past the handshake.
        case unreachable(String)
        /// It was served, then lost.
        case lost
    }

    /// Serves the worker at `address` for as long as the cluster runs: connects, serves the connection until it
    /// ends, then, if it was ever connected, connects again as ``ClusterConfiguration/reconnect`` says.
    ///
    /// `ready` is called once, when the first connection is up or has failed.
    func serve(_ id: WorkerID, at address: WorkerAddress, context: NIOSSLContext, ready: @escaping @Sendable () -> Void) async {
        // Served no more: a hosts file reloaded later may bring it back.
        defer { self.withState { _ = $0.addresses.removeValue(forKey: id) } }
        let first = await self.run(WorkerConnection(id: id, address: address), context: context, ready: ready)
        if case .unreachable = first {
            // A worker joining mid-run that cannot be reached: jobs stop waiting for it.
            let stranded = self.withState { self.joined(id, in: &$0) }
            for (future, error) in stranded { future.resolve(.failure(error)) }
        }
        guard case .lost = first, let policy = self.configuration.reconnect, !self.isRetired(id) else { return }
        var failures = 0
        var lostAt = ContinuousClock.now
        var lastReason = "lost"
        while await self.stopped.sleep(for: policy.delay(before: failures)), !self.isRetired(id) {
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
        let stranded = self.withState { state -> [(AnyJobFuture, JobError)] in
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
        var opened: WorkerConnection.Channel?
        do {
            let channel = try await connection.open(
                context: context,
                configuration: configuration,
                counters: self.counters,
                stopping: self.stopped
            )
            opened = channel
            let hello = try await withDeadline(configuration.connectTimeout, channel: channel.channel) {
                try await connection.handshake(over: channel, configuration: configuration)
            }
            try await connection.sendFiles(configuration, over: channel, counters: self.counters)
            self.stopped.release(channel.channel)
            // A stop closes connections still in their handshake; one that finished just as it came is not
            // registered either. A stop after this drains it, as it does every connection.
            guard !self.stopped.isStopped else { throw ClusterError(.shutDown, "the cluster stopped before it connected") }
            try await channel.serve { message in self.receive(message, from: connection) }
            self.register(connection, hello: hello, reconnected: ready == nil)
            registered = true
            logger.info(
                ready == nil ? "reconnected" : "connected",
                metadata: ["worker.host": "\(hello.hostName)", "worker.pool": "\(hello.capabilities?.poolKind.description ?? "?")"]
            )
            ready?()
            let end = await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await connection.keepAlive(
                        channel.channel,
                        interval: configuration.heartbeatInterval,
                        timeout: configuration.heartbeatTimeout
                    ) { reason in
                        self.lost(connection, reason: reason, crashed: false, logger: logger)
                    }
                }
                defer { group.cancelAll() }
                return try? await channel.ended()
            }
            switch end {
            case .goodbye?: saidGoodbye = true
            case .failed(let error)?: endReason = WorkerConnection.describe(error)
            case .closed?, nil: break
            }
        } catch {
            opened?.channel.close(promise: nil)
            endReason = WorkerConnection.describe(error)
            if !registered {
                let stopped = self.stopped.isStopped
                let reason = stopped ? "the cluster stopped before it connected" : (error as? ClusterError)?.message ?? endReason
                if let ready {
                    logger.log(level: stopped ? .debug : .error, "cannot reach worker", metadata: ["error": "\(reason)"])
                    self.withState { $0.unreachable.append(UnreachableWorker(address: connection.address, reason: reason)) }
                    ready()
                }
                return .unreachable(reason)
            }
        }
        opened?.channel.close(promise: nil)
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
        let registered = self.withState { state -> [(AnyJobFuture, JobError)]? in
            state.connections[connection.id] = connection
            guard !state.retired.contains(connection.id) else {
                // Taken out of the run while it connected: it gets no job, and leaves.
                state.post([.drain], to: connection)
                return nil
            }
            state.connected[connection.id] = worker
            if reconnected {
                state.reconnecting.remove(connection.id)
                state.reconnections += 1
            }
            state.kinds[connection.id] = capabilities.kinds
            let assignments = state.scheduler.addWorker(connection.id, name: connection.name, kinds: capabilities.kinds, credit: credit)
            self.send(assignments, in: &state)
            if state.draining {
                state.post([.drain], to: connection)
            }
            // A worker back with other kinds (a new version, say) no longer keeps the old kinds' jobs waiting, nor
            // does one that joined mid-run, now that its kinds are known.
            let joined = self.joined(connection.id, in: &state)
            return reconnected ? joined + state.scheduler.strandUnrunnable(expectedKinds: state.expectedKinds) : joined
        }
        guard let stranded = registered else { return }
        for (future, error) in stranded {
            future.resolve(.failure(error))
        }
        self.observers.post(.connected(worker, again: reconnected))
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
            let retired = state.retired.contains(connection.id)
            if self.configuration.reconnect != nil && !self.stopped.isStopped && !retired {
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
        for (future, error) in loss.exhausted + loss.stranded {
            future.resolve(.failure(error))
        }
    }
}
