/// A set of job kinds that cannot be made: a name that is invalid or taken twice.
public struct JobKindsError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String

        /// Empty, too long, or holding characters other than letters, digits, `.`, `_` and `-`.
        public static let invalidName = Code(name: "invalid-name")
        /// Two kinds have one name and version.
        public static let duplicateName = Code(name: "duplicate-name")

        public var description: String { self.name }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { self.message }
}
