import Foundation

/// A fresh folder under the system's temporary directory, removed when the test's scope ends.
public struct TemporaryDirectory: ~Copyable, Sendable {
    public let path: String

    public init() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("fanout-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        self.path = path
    }

    public func file(_ name: String) -> String { self.path + "/" + name }

    public func write(_ name: String, _ contents: String) throws {
        try contents.write(toFile: self.file(name), atomically: true, encoding: .utf8)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: self.path)
    }
}
