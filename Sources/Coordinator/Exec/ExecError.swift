/// An `exec` run that cannot start: its command, inputs or job log are wrong; the message says which and where.
public struct ExecError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String

        /// No command, or a command line that cannot be read.
        public static let invalidCommand = Code(name: "invalid-command")
        /// An input source that cannot be read, or more than one.
        public static let invalidInputs = Code(name: "invalid-inputs")
        /// A job log that cannot be read to resume from, or written.
        public static let invalidJobLog = Code(name: "invalid-job-log")
        /// A results folder that cannot be written.
        public static let invalidResults = Code(name: "invalid-results")

        public var description: String { self.name }
    }

    public var code: Code
    public var message: String
    /// The error behind this one, if any.
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { self.message }

    public static func == (lhs: ExecError, rhs: ExecError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.code)
        hasher.combine(self.message)
    }
}
