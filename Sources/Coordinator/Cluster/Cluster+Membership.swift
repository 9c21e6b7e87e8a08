import FanoutProtocol
import NIOCore

/// Workers joining and leaving while a run goes on.
extension Cluster {
    /// Makes the run's workers those at `addresses`, as a hosts file reloaded says: a worker not yet in the run
    /// is dialled and joins it; one no longer listed is taken out. A worker taken out gets no new jobs, and the
    /// jobs it holds but has not started run elsewhere; those it runs finish there, and then it is told to
    /// drain and is not dialled again. After shutdown no worker joins.
    ///
    /// Workers are matched by host and port; a changed `slots=` alone changes nothing.
    @discardableResult
    public func setWorkers(_ addresses: [WorkerAddress]) -> WorkerChanges {
        let wanted = Set(addresses.map(\.description))
        let (changes, withdrawn, stranded) = self.withState { state -> (WorkerChanges, [AnyJobFuture], [(AnyJobFuture, JobError)]) in
            var changes = WorkerChanges()
            var withdrawn: [AnyJobFuture] = []
            for (id, address) in state.addresses.sorted(by: { $0.key < $1.key }) where !wanted.contains(address.description) {
                state.addresses[id] = nil
                state.retired.insert(id)
                changes.left.append(address)
                if let connection = state.connections[id] {
                    let (taken, assignments) = state.scheduler.retire(id)
                    for future in taken { future.markPending() }
                    withdrawn += taken
                    state.post(taken.map { .cancel(Cancel(jobID: $0.id)) } + [.drain], to: connection)
                    self.send(assignments, in: &state)
                }
            }
            var stranded: [(AnyJobFuture, JobError)] = []
            if !changes.left.isEmpty {
                // Jobs kept waiting for a worker that was being dialled again, and now will not be, may have no
                // worker left.
                let before = state.reconnecting.count
                state.reconnecting.subtract(state.retired)
                if state.reconnecting.count != before {
                    stranded = state.scheduler.strandUnrunnable(expectedKinds: state.expectedKinds)
                    state.wakeProducers()
                }
            }
            let present = Set(state.addresses.values.map(\.description))
            var seen: Set<String> = []
            for address in addresses where !present.contains(address.description) && seen.insert(address.description).inserted {
                guard !state.shutDown else { break }
                let id = WorkerID(rawValue: state.nextWorkerID)
                state.nextWorkerID += 1
                state.addresses[id] = address
                changes.joined.append(address)
                state.joinedServers.append(Task { await self.serve(id, at: address, context: self.tlsContext, ready: {}) })
            }
            return (changes, withdrawn, stranded)
        }
        if !changes.isEmpty {
            self.logger.info(
                "workers changed",
                metadata: [
                    "workers.joined": "\(changes.joined.map(\.description))", "workers.left": "\(changes.left.map(\.description))",
                    "jobs.withdrawn": "\(withdrawn.count)",
                ]
            )
        }
        for (future, error) in stranded {
            future.resolve(.failure(error))
        }
        return changes
    }

    func isRetired(_ id: WorkerID) -> Bool {
        self.withState { $0.retired.contains(id) }
    }

    /// Waits until every worker that joined after the start is served no more.
    func waitForJoinedWorkers() async {
        while true {
            let servers = self.withState { state in
                defer { state.joinedServers = [] }
                return state.joinedServers
            }
            guard !servers.isEmpty else { return }
            for server in servers { await server.value }
        }
    }
}

/// What ``Cluster/setWorkers(_:)`` changed.
public struct WorkerChanges: Hashable, Sendable {
    /// Workers dialled to join the run.
    public var joined: [WorkerAddress] = []
    /// Workers taken out of the run.
    public var left: [WorkerAddress] = []

    public var isEmpty: Bool { self.joined.isEmpty && self.left.isEmpty }
}
