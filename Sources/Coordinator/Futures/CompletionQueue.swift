import FanoutLocking

/// Futures in the order they complete, for one waiter: fed by completion callbacks, read with ``next()``.
final class CompletionQueue: Sendable {
    private struct State {
        var done: [AnyJobFuture] = []
        /// The one reader, while it waits.
        var reader = Waiters<Int, AnyJobFuture?>()
    }

    private let state = Locked(State())

    /// Watches `futures`; each is delivered once, when done (at once for those done already).
    init(watching futures: some Sequence<AnyJobFuture>) {
        for future in futures {
            future.onCompletion { [weak self] future in self?.push(future) }
        }
    }

    private func push(_ future: AnyJobFuture) {
        let reader = self.state.withLock { state -> Waiter<AnyJobFuture?>? in
            if let reader = state.reader.takeAny() { return reader }
            state.done.append(future)
            return nil
        }
        reader?.resume(returning: future)
    }

    /// The next future to complete; nil if the waiting task is cancelled.
    func next() async -> AnyJobFuture? {
        await suspend(ifCancelled: nil) { reader in
            self.state.withLock { state in
                state.done.isEmpty ? state.reader.park(reader, as: 0) : .now(state.done.removeFirst())
            }
        } unpark: {
            self.state.withLock { $0.reader.take(0) }
        }
    }

    /// The next future to complete before `deadline`; nil when the deadline comes first.
    func next(before deadline: ContinuousClock.Instant?) async -> AnyJobFuture? {
        guard let deadline else { return await self.next() }
        return await withTaskGroup(of: AnyJobFuture?.self) { group in
            group.addTask { await self.next() }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            // If the deadline won while a future was being handed over, keep that future for the next call.
            if first == nil, let late = await group.next() ?? nil {
                self.pushFront(late)
            }
            return first
        }
    }

    private func pushFront(_ future: AnyJobFuture) {
        self.state.withLock { $0.done.insert(future, at: 0) }
    }
}
