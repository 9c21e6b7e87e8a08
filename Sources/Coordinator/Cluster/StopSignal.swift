import FanoutLocking

/// A one-shot signal that cuts short every ``sleep(for:)``: how a cluster that is done stops its reconnect loops.
final class StopSignal: Sendable {
    private struct State {
        var stopped = false
        var naps: [UInt64: Task<Void, Never>] = [:]
        var nextNap: UInt64 = 0
    }

    private let state = Locked(State())

    var isStopped: Bool { self.state.withLock { $0.stopped } }

    func stop() {
        let naps = self.state.withLock { state in
            state.stopped = true
            defer { state.naps = [:] }
            return Array(state.naps.values)
        }
        naps.forEach { $0.cancel() }
    }

    /// Sleeps for `duration` unless stopped first (or the task is cancelled); false when stopped.
    func sleep(for duration: Duration) async -> Bool {
        let nap = Task { _ = try? await Task.sleep(for: duration) }
        let key = self.state.withLock { state -> UInt64? in
            guard !state.stopped else { return nil }
            defer { state.nextNap += 1 }
            state.naps[state.nextNap] = nap
            return state.nextNap
        }
        guard let key else {
            nap.cancel()
            return false
        }
        await withTaskCancellationHandler {
            await nap.value
        } onCancel: {
            nap.cancel()
        }
        return self.state.withLock { state in
            state.naps[key] = nil
            return !state.stopped && !Task.isCancelled
        }
    }
}
