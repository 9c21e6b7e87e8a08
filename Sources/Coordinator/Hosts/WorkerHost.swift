#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A worker's host as written in a hosts file: a DNS name or an IP address.
public enum WorkerHost: Hashable, Sendable, CustomStringConvertible {
    case name(String)
    /// Four bytes, network order.
    case ipv4([UInt8])
    /// Sixteen bytes, network order.
    case ipv6([UInt8])

    /// Parses an IP literal (IPv6 without brackets) or a DNS name; nil when `text` is neither.
    public init?(_ text: String) {
        if let bytes = Self.parseAddress(text, family: AF_INET, size: 4) {
            self = .ipv4(bytes)
        } else if let bytes = Self.parseAddress(text, family: AF_INET6, size: 16) {
            self = .ipv6(bytes)
        } else if Self.isDNSName(text) {
            self = .name(text.lowercased())
        } else {
            return nil
        }
    }

    /// The host as one connects to it and names its certificate folder: the name, or the address in its
    /// canonical text form (IPv6 without brackets).
    public var description: String {
        switch self {
        case .name(let name):
            return name
        case .ipv4(let bytes):
            return Self.formatAddress(bytes, family: AF_INET)
        case .ipv6(let bytes):
            return Self.formatAddress(bytes, family: AF_INET6)
        }
    }

    /// The host as written before `:port`, with brackets around IPv6.
    public var authority: String {
        if case .ipv6 = self { return "[\(self.description)]" }
        return self.description
    }

    /// RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens, 1 to 63 bytes each,
    /// 253 bytes in all. A name of digits and dots only would be a malformed IPv4 address, so it is refused.
    static func isDNSName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        for label in labels {
            guard (1...63).contains(label.count),
                label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-"),
                label.allSatisfy({ Self.isLetterOrDigit($0) || $0 == UInt8(ascii: "-") })
            else { return false }
        }
        let allNumeric = bytes.allSatisfy { $0 == UInt8(ascii: ".") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        return !allNumeric
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func parseAddress(_ text: String, family: Int32, size: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: size)
        let result = bytes.withUnsafeMutableBytes { inet_pton(family, text, $0.baseAddress) }
        return result == 1 ? bytes : nil
    }

    private static func formatAddress(_ bytes: [UInt8], family: Int32) -> String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        bytes.withUnsafeBytes { address in
            _ = inet_ntop(family, address.baseAddress, &text, socklen_t(text.count))
        }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
