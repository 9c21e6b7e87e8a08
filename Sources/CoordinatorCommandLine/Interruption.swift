import ArgumentParser
import UnixSignals

#if canImport(Glibc)
import Glibc
#endif

/// Runs `body`, cancelling it on SIGINT or SIGTERM so that it stops its jobs and workers and cleans up on the
/// way out; once it has, calls `interrupted` and throws exit status 130.
public func untilInterrupted<Result: Sendable>(
    _ body: @escaping @Sendable () async throws -> Result,
    interrupted: () -> Void = {}
) async throws -> Result {
    try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            for await signal in await UnixSignalsSequence(trapping: .sigint, .sigterm) {
                printError("\(signal): stopping")
                return nil
            }
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw ExitCode.failure }
        guard let result = first else {
            // Interrupted: let the body finish cleaning up before leaving.
            group.cancelAll()
            while let _ = try? await group.next() {}
            interrupted()
            throw ExitCode(130)
        }
        return result
    }
}
