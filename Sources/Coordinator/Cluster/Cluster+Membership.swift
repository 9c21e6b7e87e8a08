import FanoutProtocol
import NIOCore

/// Workers joining and leaving while a run goes on.
extension Cluster {
    /// Makes the run's workers those at `addresses`, as a hosts file reloaded says: a worker not yet in the run
    /// is dialled and joins it; one no longer listed is taken out. A worker taken out gets no new job and
    /// finishes the jobs it holds (those it runs, and those already sent to it); then it is told to drain and
    /// is not dialled again. Jobs still queued go to the other workers, and wait for joining ones. After
    /// shutdown no worker joins.
    ///
    /// Workers are matched by host and port; a changed `slots=` alone changes nothing.
    @discardableResult
    public func setWorkers(_ addresses: [WorkerAddress]) -> WorkerChanges {
        let wanted = Set(addresses.map(\.description))
        let (changes, stranded) = self.withState { state -> (WorkerChanges, [(AnyJobFuture, JobError)]) in
            var changes = WorkerChanges()
            for (id, address) in state.addresses.sorted(by: { $0.key < $1.key }) where !wanted.contains(address.description) {
                state.addresses[id] = nil
                state.retired.insert(id)
                state.reconnecting.remove(id)
                state.joining.remove(id)
                changes.left.append(address)
                state.scheduler.retire(id)
                if let connection = state.connections[id] { state.post([.drain], to: connection) }
            }
            let present = Set(state.addresses.values.map(\.description))
            var seen: Set<String> = []
            for address in addresses where !present.contains(address.description) && seen.insert(address.description).inserted {
                guard !state.shutDown else { break }
                let id = WorkerID(rawValue: state.nextWorkerID)
                state.nextWorkerID += 1
                state.addresses[id] = address
                state.joining.insert(id)
                changes.joined.append(address)
                state.joinedServers.append(Task { await self.serve(id, at: address, context: self.tlsContext, ready: {}) })
            }
            // Jobs of kinds only the workers taken out ran, with no worker joining or coming back, cannot run.
            guard !changes.left.isEmpty else { return (changes, []) }
            defer { state.wakeProducers() }
            return (changes, state.scheduler.strandUnrunnable(expectedKinds: state.expectedKinds))
        }
        if !changes.isEmpty {
            self.logger.info(
                "workers changed",
                metadata: ["workers.joined": "\(changes.joined.map(\.description))", "workers.left": "\(changes.left.map(\.description))"]
            )
        }
        for (future, error) in stranded {
            future.resolve(.failure(error))
        }
        return changes
    }

    /// A worker that joined after the start has connected, or failed to: jobs no longer wait for it unknowingly.
    /// Returns the jobs that now cannot run, to fail.
    func joined(_ id: WorkerID, in state: inout State) -> [(AnyJobFuture, JobError)] {
        guard state.joining.remove(id) != nil else { return [] }
        defer { state.wakeProducers() }
        return state.scheduler.strandUnrunnable(expectedKinds: state.expectedKinds)
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
