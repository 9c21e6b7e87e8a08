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
            for (id, link) in state.links.sorted(by: { $0.key < $1.key }) where link.isInRun && !wanted.contains(link.address.description) {
                changes.left.append(link.address)
                state.scheduler.retire(id)
                if state.links[id]?.retire() == true, let connection = state.connections[id] {
                    state.post([.drain], to: connection)
                }
            }
            let present = Set(state.links.values.filter(\.isInRun).map(\.address.description))
            var seen: Set<String> = []
            for address in addresses where !present.contains(address.description) && seen.insert(address.description).inserted {
                guard !state.shutDown else { break }
                let id = WorkerID(rawValue: state.nextWorkerID)
                state.nextWorkerID += 1
                state.links[id] = WorkerLink(address: address, joinedMidRun: true)
                changes.joined.append(address)
                state.joinedServers.append(Task { await self.serve(id, context: self.tlsContext, ready: {}) })
            }
            // Jobs of kinds only the workers taken out ran, with no worker joining or coming back, cannot run.
            guard !changes.left.isEmpty else { return (changes, []) }
            return (changes, state.strandUnrunnable())
        }
        if !changes.isEmpty {
            self.logger.info(
                "workers changed",
                metadata: ["workers.joined": "\(changes.joined.map(\.description))", "workers.left": "\(changes.left.map(\.description))"]
            )
        }
        Self.fail(stranded)
        return changes
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
