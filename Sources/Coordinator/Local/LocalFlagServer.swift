import Foundation

/// A `flagserver` process on loopback for one run, so flag downloads need no internet.
public enum LocalFlagServer {
    /// Starts `flagserver` with `delay` per request, runs `body` with its flag site, then stops it.
    public static func with<Result: Sendable>(
        delay: Duration = .milliseconds(100),
        executable: String = LocalWorkers.siblingExecutable("flagserver"),
        _ body: (FlagSite) async throws -> Result
    ) async throws -> Result {
        let milliseconds = delay.wireNanoseconds / 1_000_000
        let (process, port) = try await ListeningProcess.start(
            executable,
            arguments: ["--host", "127.0.0.1", "--port", "0", "--delay-ms", "\(milliseconds)", "--log-level", "warning"]
        )
        let result: Swift.Result<Result, any Error>
        do {
            let site = try FlagSite(pattern: "http://127.0.0.1:\(port)/wp-content/uploads/Flag_of_{}.svg")
            result = .success(try await body(site))
        } catch {
            result = .failure(error)
        }
        await ListeningProcess.stop([process])
        return try result.get()
    }
}
