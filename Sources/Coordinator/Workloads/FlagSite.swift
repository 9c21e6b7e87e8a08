/// Where flags are downloaded from: a URL pattern with `{}` where the country's name goes, as the seed's
/// `BASE_URL`.
public struct FlagSite: Hashable, Sendable {
    /// The seed's flag website.
    public static let seed = FlagSite(checkedPattern: "https://flagdownload.com/wp-content/uploads/Flag_of_{}.svg")

    public var pattern: String

    public init(pattern: String) throws {
        guard pattern.contains("{}") else {
            throw ClusterError(.invalidArgument, "flag URL pattern \"\(pattern)\" has no {} for the country's name")
        }
        guard pattern.hasPrefix("http://") || pattern.hasPrefix("https://") else {
            throw ClusterError(.invalidArgument, "flag URL pattern \"\(pattern)\" is not an http(s) URL")
        }
        self.pattern = pattern
    }

    private init(checkedPattern: String) {
        self.pattern = checkedPattern
    }

    /// The URL of `country`'s flag: spaces become underscores, as the seed does, and anything else a URL path
    /// cannot hold is percent-encoded.
    public func url(for country: String) -> String {
        let name = country.replacingOccurrences(of: " ", with: "_")
        return self.pattern.replacingOccurrences(of: "{}", with: Self.percentEncode(name))
    }

    /// The file name the seed saves `country`'s flag under: words joined by dashes, with `.svg`.
    public static func fileName(for country: String) -> String {
        country.split(separator: " ").joined(separator: "-") + ".svg"
    }

    private static func percentEncode(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                encoded += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return encoded
    }
}
