import FanoutLocking
import NIOCore

/// A one-shot signal that cuts short every ``sleep(for:)`` and closes every channel still connecting: how a
/// cluster that is done stops its reconnect loops, and does not wait out a connect or handshake timeout.
final class StopSignal: Sendable {
    private struct State {
        var stopped = false
        var naps: [UInt64: Task<Void, Never>] = [:]
        var nextNap: UInt64 = 0
        var connecting: [ObjectIdentifier: any Channel] = [:]
    }

    private let state = Locked(State())

    var isStopped: Bool { self.state.withLock { $0.stopped } }

    func stop() {
        let (naps, connecting) = self.state.withLock { state in
            state.stopped = true
            defer {
                state.naps = [:]
                state.connecting = [:]
            }
            return (Array(state.naps.values), Array(state.connecting.values))
        }
        naps.forEach { $0.cancel() }
        connecting.forEach { $0.close(promise: nil) }
    }

    /// Closes `channel` on ``stop()`` (at once if already stopped), unless it is released or closes first.
    func closeOnStop(_ channel: any Channel) {
        let added = self.state.withLock { state in
            guard !state.stopped else { return false }
            state.connecting[ObjectIdentifier(channel)] = channel
            return true
        }
        guard added else {
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { _ in self.release(channel) }
    }

    /// A stop no longer closes `channel`: it has connected, and ends as the cluster says.
    func release(_ channel: any Channel) {
        self.state.withLock { _ = $0.connecting.removeValue(forKey: ObjectIdentifier(channel)) }
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
