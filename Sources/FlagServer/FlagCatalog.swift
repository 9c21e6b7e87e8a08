import Foundation
import NIOCore

/// Every country's flag, by the file name the flag website uses: `Flag_of_{Name_With_Underscores}.svg`, for
/// the ISO 3166-1 name, common name and official name of each country.
///
/// Names come from Debian's iso-codes JSON; flags from Debian's iso-flags-svg.
public struct FlagCatalog: Sendable {
    public static let defaultISOCodes = "/usr/share/iso-codes/json/iso_3166-1.json"
    public static let defaultFlagsDirectory = "/usr/share/iso-flags-svg/country-4x3"

    /// Flag files by the name they are served under.
    public let flags: [String: ByteBuffer]

    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    private struct ISOCountry: Decodable {
        var alpha_2: String
        var name: String
        var common_name: String?
        var official_name: String?
    }

    private struct ISOFile: Decodable {
        var countries: [ISOCountry]

        enum CodingKeys: String, CodingKey {
            case countries = "3166-1"
        }
    }

    public init(isoCodes: String = Self.defaultISOCodes, flagsDirectory: String = Self.defaultFlagsDirectory) throws {
        guard let json = FileManager.default.contents(atPath: isoCodes) else {
            throw LoadError(description: "cannot read \(isoCodes): install Debian's iso-codes package (apt-get install iso-codes)")
        }
        guard FileManager.default.fileExists(atPath: flagsDirectory) else {
            throw LoadError(
                description: "no flags in \(flagsDirectory): install Debian's iso-flags-svg package (apt-get install iso-flags-svg)"
            )
        }
        let countries: [ISOCountry]
        do {
            countries = try JSONDecoder().decode(ISOFile.self, from: json).countries
        } catch {
            throw LoadError(description: "\(isoCodes) is not iso-codes' ISO 3166-1 JSON: \(error)")
        }
        var flags: [String: ByteBuffer] = [:]
        for country in countries {
            let path = "\(flagsDirectory)/\(country.alpha_2.lowercased()).svg"
            guard let svg = FileManager.default.contents(atPath: path) else { continue }
            let body = ByteBuffer(bytes: svg)
            for name in [country.name, country.common_name, country.official_name].compactMap({ $0 }) {
                flags[Self.fileName(for: name)] = body
            }
        }
        guard !flags.isEmpty else {
            throw LoadError(description: "no flag in \(flagsDirectory) matches a country of \(isoCodes)")
        }
        self.flags = flags
    }

    /// `Flag_of_{Name_With_Underscores}.svg`, as the seed's site names its files.
    public static func fileName(for country: String) -> String {
        "Flag_of_" + country.replacingOccurrences(of: " ", with: "_") + ".svg"
    }

    /// The flag a request path asks for: its last component, percent-decoded.
    public func flag(forPath path: String) -> ByteBuffer? {
        let withoutQuery = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        guard let last = withoutQuery.split(separator: "/").last,
            let name = String(last).removingPercentEncoding
        else { return nil }
        return self.flags[name]
    }
}
