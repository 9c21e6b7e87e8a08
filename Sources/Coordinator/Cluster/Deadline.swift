import NIOCore

/// Runs `body`, closing `channel` if it has not finished within `deadline`.
func withDeadline<T: Sendable>(
    _ deadline: Duration,
    channel: any Channel,
    _ body: () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            try await Task.sleep(for: deadline)
            channel.close(promise: nil)
        }
        defer { group.cancelAll() }
        return try await body()
    }
}
