/// A hosts file that cannot be used: the file, the line and what is wrong with it.
public struct HostsFileError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    /// 1-based; nil when the trouble is with the file as a whole.
    public var line: Int?
    public var reason: String

    public init(path: String, line: Int?, reason: String) {
        self.path = path
        self.line = line
        self.reason = reason
    }

    public var description: String {
        if let line { return "\(self.path):\(line): \(self.reason)" }
        return "\(self.path): \(self.reason)"
    }
}
