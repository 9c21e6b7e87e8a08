import Logging
import Synchronization

/// A logger for tests that keeps the messages logged, so that a test can wait for the one that marks an event.
public final class LogRecorder: Sendable {
    private struct State {
        var messages: [String] = []
        var waiting: [(message: String, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Logs at `level` and above into this recorder.
    public func logger(level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "fanout.test.recorded") { _ in Handler(recorder: self) }
        logger.logLevel = level
        return logger
    }

    /// Returns once `message` has been logged `count` times in all.
    public func waitFor(_ message: String, count: Int = 1) async {
        // Each time `message` is logged, the waiters wake and count again.
        while self.count(of: message) < count {
            await withCheckedContinuation { continuation in
                let logged = self.state.withLock { state in
                    if state.messages.count(where: { $0 == message }) >= count { return true }
                    state.waiting.append((message, continuation))
                    return false
                }
                if logged { continuation.resume() }
            }
        }
    }

    /// How many times `message` has been logged.
    public func count(of message: String) -> Int {
        self.state.withLock { $0.messages.count(where: { $0 == message }) }
    }

    fileprivate func record(_ message: String) {
        let woken = self.state.withLock { state in
            state.messages.append(message)
            let woken = state.waiting.filter { $0.message == message }.map(\.continuation)
            state.waiting.removeAll { $0.message == message }
            return woken
        }
        for continuation in woken { continuation.resume() }
    }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { self.metadata[key] }
            set { self.metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            self.recorder.record(event.message.description)
        }
    }
}
