import ArgumentParser
import UnixSignals

#if canImport(Glibc)
import Glibc
#endif

/// Runs `body`, cancelling it on SIGINT or SIGTERM so that it stops its workers and cleans up on the way out.
func untilInterrupted<Result: Sendable>(_ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
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
            throw ExitCode(130)
        }
        return result
    }
}

/// Writes `line` to standard error.
func printError(_ line: String) {
    var line = line + "\n"
    line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

/// Writes `line` to standard output at once, so progress shows as it happens.
@Sendable func printLine(_ line: String) {
    print(line)
    fflush(nil)
}

/// A command could not run: what and where.
struct CommandError: Error, CustomStringConvertible {
    var description: String
}
