import FanoutLocking
import Foundation

/// Where a run's report goes: its lines to standard output, and a live progress line (done of total,
/// failed, jobs per second, time left) to standard error.
///
/// On a terminal the progress line is redrawn in place, cleared before each report line and drawn again
/// after it. Elsewhere it is written as plain lines, at most one per `plainInterval`, with no control
/// characters.
public final class Console: JobObserver {
    public typealias Sink = @Sendable (String) -> Void

    private struct State {
        var total = 0
        var done = 0
        var failed = 0
        var cancelled = 0
        var drawn = false
        var lastProgress: ContinuousClock.Instant?
    }

    private let isTerminal: Bool
    private let output: Sink
    private let errors: Sink
    private let started: ContinuousClock.Instant
    private let plainInterval: Duration
    private let terminalInterval: Duration = .milliseconds(100)
    private let state = Locked(State())

    /// - Parameters:
    ///   - isTerminal: whether standard error is a terminal, where the line may be redrawn in place.
    ///   - output: writes text to standard output.
    ///   - errors: writes text to standard error.
    public init(isTerminal: Bool, plainInterval: Duration = .seconds(2), output: @escaping Sink, errors: @escaping Sink) {
        self.isTerminal = isTerminal
        self.plainInterval = plainInterval
        self.output = output
        self.errors = errors
        self.started = .now
    }

    /// A console on this process's standard output and error.
    public static func standard() -> Console {
        Console(
            isTerminal: isatty(STDERR_FILENO) == 1,
            output: { text in
                FileHandle.standardOutput.write(Data(text.utf8))
            },
            errors: { text in
                FileHandle.standardError.write(Data(text.utf8))
            }
        )
    }

    /// Writes a report line.
    public func line(_ text: String) {
        self.writeAroundProgress { self.output(text + "\n") }
    }

    /// Runs `write` with the progress line, when one is drawn, cleared first and drawn again after.
    private func writeAroundProgress(_ write: () -> Void) {
        self.state.withLock { state in
            if self.isTerminal && state.drawn { self.errors("\r\u{1B}[K") }
            write()
            if self.isTerminal && state.drawn { self.errors(self.progress(state)) }
        }
    }

    public func jobSubmitted(_ job: AnyJobFuture) {
        self.state.withLock { $0.total += 1 }
    }

    public func jobDone(_ record: JobRecord) {
        self.state.withLock { state in
            state.done += 1
            switch record.state {
            case .failed: state.failed += 1
            case .cancelled: state.cancelled += 1
            case .pending, .running, .finished: break
            }
            let now = ContinuousClock.now
            let interval = self.isTerminal ? self.terminalInterval : self.plainInterval
            if let last = state.lastProgress, now - last < interval, state.done < state.total { return }
            state.lastProgress = now
            if self.isTerminal {
                self.errors("\r\u{1B}[K" + self.progress(state))
                state.drawn = true
            } else {
                self.errors(self.progress(state) + "\n")
            }
        }
    }

    /// Writes the report line of a run stopped early: how many jobs finished, failed and were cancelled, of how
    /// many, in how long.
    public func interrupted() {
        let state = self.state.withLock { $0 }
        let elapsed = String(format: "%.2f", (ContinuousClock.now - self.started).seconds)
        let finished = state.done - state.failed - state.cancelled
        self.line(
            "interrupted after \(elapsed) s: \(finished) of \(state.total) jobs finished, \(state.failed) failed, "
                + "\(state.cancelled) cancelled, \(state.total - state.done) unresolved"
        )
    }

    /// Writes what the cluster recovered from, if anything, to standard error.
    public func clusterStopped(_ reliability: ReliabilityCounts) {
        guard reliability != ReliabilityCounts() else { return }
        self.writeAroundProgress { self.errors("recovered: \(reliability)\n") }
    }

    /// Ends the progress line, leaving the last count on screen.
    public func finish() {
        self.state.withLock { state in
            if self.isTerminal && state.drawn { self.errors("\n") }
            state.drawn = false
        }
    }

    private func progress(_ state: State) -> String {
        let elapsed = (ContinuousClock.now - self.started).seconds
        let rate = elapsed > 0 ? Double(state.done) / elapsed : 0
        var text = "\(state.done)/\(state.total) done, \(state.failed) failed"
        if state.cancelled > 0 { text += ", \(state.cancelled) cancelled" }
        text += ", \(String(format: "%.1f", rate)) jobs/s"
        if state.done < state.total, rate > 0 {
            text += ", about \(Int((Double(state.total - state.done) / rate).rounded(.up))) s left"
        }
        return text
    }
}
