/// The stable, versioned name of a kind of job, as `"primes.check"` version 1, written `primes.check.v1`.
///
/// A worker's hello lists the kinds it runs by name; a coordinator sends a job only to a worker that lists
/// its kind's name and version. A new version of a kind is a new name on the wire, so `primes.check.v2` can
/// run beside `primes.check.v1`.
public struct JobKindName: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The most UTF-8 bytes of a name.
    public static let maximumLength = 128

    /// Dotted words of letters, digits, `_` and `-`, as `primes.check`.
    public var name: String
    /// Counts up when the kind's input, output or meaning changes.
    public var version: UInt16

    /// A name, unchecked; ``validate()`` says whether it may be registered or sent.
    public init(_ name: String, version: UInt16) {
        self.name = name
        self.version = version
    }

    public var description: String { "\(self.name).v\(self.version)" }

    /// Throws a ``ProtocolError`` naming what is wrong: an empty name, one over ``maximumLength`` bytes, an
    /// empty word, or a character other than letters, digits, `.`, `_` and `-`.
    public func validate() throws {
        let length = self.name.utf8.count
        guard length > 0 else { throw ProtocolError(.invalidField, "a job kind's name is empty") }
        guard length <= Self.maximumLength else {
            throw ProtocolError(
                .invalidField,
                "job kind name \"\(self.name.prefix(40))…\" is \(length) bytes; at most \(Self.maximumLength) are allowed"
            )
        }
        if let bad = self.name.unicodeScalars.first(where: { !Self.allowed($0) }) {
            throw ProtocolError(
                .invalidField,
                "job kind name \"\(self.name)\" holds \"\(bad)\"; use letters, digits, \".\", \"_\" and \"-\""
            )
        }
        if self.name.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            throw ProtocolError(.invalidField, "job kind name \"\(self.name)\" has an empty word between dots")
        }
    }

    private static func allowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-": true
        default: false
        }
    }

    public static func < (lhs: JobKindName, rhs: JobKindName) -> Bool {
        (lhs.name, lhs.version) < (rhs.name, rhs.version)
    }
}
