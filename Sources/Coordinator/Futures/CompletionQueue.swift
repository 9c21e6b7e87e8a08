import FanoutLocking

/// Futures in the order they complete, for one waiter: fed by completion callbacks, read with ``next()``.
final class CompletionQueue: Sendable {
    private struct State {
        var done: [AnyJobFuture] = []
        var waiter: CheckedContinuation<AnyJobFuture?, Never>?
    }

    private let state = Locked(State())

    /// Watches `futures`; each is delivered once, when done (at once for those done already).
    init(watching futures: some Sequence<AnyJobFuture>) {
        for future in futures {
            future.onCompletion { [weak self] future in self?.push(future) }
        }
    }

    private func push(_ future: AnyJobFuture) {
        let waiter = self.state.withLock { state -> CheckedContinuation<AnyJobFuture?, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.done.append(future)
            return nil
        }
        waiter?.resume(returning: future)
    }

    /// The next future to complete; nil if the waiting task is cancelled.
    func next() async -> AnyJobFuture? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = self.state.withLock { state -> AnyJobFuture?? in
                    if !state.done.isEmpty { return .some(state.done.removeFirst()) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = self.state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
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
