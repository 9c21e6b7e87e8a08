import ArgumentParser

/// A number of bytes as a person writes it on a command line: digits, then an optional K, M, G or T (powers of
/// 1024), as in `1M` or `512k`.
public struct ByteCount: Hashable, Sendable, ExpressibleByArgument, CustomStringConvertible {
    public var bytes: Int

    public init(bytes: Int) {
        self.bytes = bytes
    }

    public init?(argument: String) {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var digits = Substring(argument)
        var unit = 1
        if let last = digits.last?.uppercased().first, let multiplier = units[last] {
            unit = multiplier
            digits = digits.dropLast()
        }
        guard let count = Int(digits), count >= 0 else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: unit)
        guard !overflow else { return nil }
        self.bytes = bytes
    }

    public var description: String {
        for (suffix, unit) in [("T", 1 << 40), ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)]
        where self.bytes >= unit && self.bytes % unit == 0 {
            return "\(self.bytes / unit)\(suffix)"
        }
        return "\(self.bytes)"
    }

    public var defaultValueDescription: String { self.description }
}
