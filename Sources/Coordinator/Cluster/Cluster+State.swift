import FanoutJobs
import FanoutLocking
import FanoutProtocol
import Logging

extension Cluster {
    /// Runs `body` under the state lock, then resumes the tasks it woke and asks for the writes it made due: no
    /// continuation resumes, and no event loop is called, under the lock.
    func withState<Result: Sendable>(_ body: (inout State) throws -> Result) rethrows -> Result {
        var wakes: [Waiter<Void>] = []
        var writes: [OutboundMailbox.Write] = []
        defer {
            for wake in wakes { wake.resume() }
            for write in writes { write() }
        }
        return try self.state.withLock { state in
            defer {
                swap(&wakes, &state.wakes)
                swap(&writes, &state.writes)
            }
            return try body(&state)
        }
    }

    /// Everything the cluster shares between its callers and its connections, under one lock.
    struct State {
        var scheduler: JobScheduler
        /// Jobs the queue holds at most (``ClusterConfiguration/queueLimit``).
        let queueLimit: Int
        var nextJobID: UInt64 = 1
        var connections: [WorkerID: WorkerConnection] = [:]
        /// Every worker still served, connected or not, by id.
        var links: [WorkerID: WorkerLink] = [:]
        var nextWorkerID: Int32 = 0
        /// The tasks serving workers that joined after the start.
        var joinedServers: [Task<Void, Never>] = []
        var connected: [WorkerID: ConnectedWorker] = [:]
        var unreachable: [UnreachableWorker] = []
        /// The kinds each worker listed in its last hello.
        var kinds: [WorkerID: [JobKindName]] = [:]
        /// Every kind submitted, shared by its futures.
        var clusterKinds: [JobKindName: ClusterKind] = [:]
        var workersLost = 0
        var reconnections = 0
        var shutDown = false
        /// Every job is done and the workers have been told to drain; one that reconnects now is told at once.
        var draining = false
        /// Producers let in, to resume once the lock is released (see ``Cluster/withState(_:)``).
        var wakes: [Waiter<Void>] = []
        /// Writes of mailboxes posted to, to ask their event loops for once the lock is released.
        var writes: [OutboundMailbox.Write] = []
        /// Producers in ``Cluster/submitWhenRoom(_:timeout:)`` waiting for the queue to shrink.
        var producers = Waiters<UInt64, Void>()
        var nextProducer: UInt64 = 0

        /// The kinds of the workers being dialled again; every kind submitted while a joining worker has not
        /// said which it runs.
        var expectedKinds: Set<JobKindName> {
            var kinds: Set<JobKindName> = []
            for (id, link) in self.links {
                if link.isJoining { return Set(self.clusterKinds.keys) }
                if link.isReconnecting { kinds.formUnion(self.kinds[id] ?? []) }
            }
            return kinds
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
            guard self.scheduler.hasWorkers || self.links.values.contains(where: \.isAwaited) else { return .noWorkers }
            return .kindNotRun(kind.name, workers: self.scheduler.kindsByWorker)
        }

        /// Fails the queued jobs that no worker connected, coming back or joining runs: for when one stopped
        /// being awaited.
        mutating func strandUnrunnable() -> [(AnyJobFuture, JobError)] {
            defer { self.wakeProducers() }
            return self.scheduler.strandUnrunnable(expectedKinds: self.expectedKinds)
        }

        /// Lets the waiting producers try again, once the queue has room or the cluster takes no more jobs.
        mutating func wakeProducers() {
            guard !self.producers.isEmpty, self.shutDown || self.scheduler.queuedCount < self.queueLimit else { return }
            self.wakes += self.producers.takeAll()
        }

        /// Posts `messages` to `connection`, in this lock's order; its event loop is asked to write them once the
        /// lock is released, unless it will anyway.
        mutating func post(_ messages: [Message], to connection: WorkerConnection) {
            if let write = connection.mailbox.enqueue(messages) { self.writes.append(write) }
        }
    }
}
