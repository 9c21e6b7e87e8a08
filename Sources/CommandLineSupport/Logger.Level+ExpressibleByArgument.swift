import ArgumentParser
import Logging
import Synchronization

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Sends every log line at `level` or above to standard error. Only the first call in a process does anything:
/// swift-log's bootstrap may run once, and a program of one's own may call the commands' entry points more than
/// once, or bootstrap logging itself first (then it calls ``loggingBootstrapped()``).
public func bootstrapLogging(level: Logger.Level) {
    guard loggingBootstrap.withLock({ done in
        defer { done = true }
        return !done
    }) else { return }
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}

/// Tells ``bootstrapLogging(level:)`` that the program has bootstrapped logging itself.
public func loggingBootstrapped() {
    loggingBootstrap.withLock { $0 = true }
}

private let loggingBootstrap = Mutex(false)
