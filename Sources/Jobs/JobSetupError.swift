/// What cannot be set up for jobs, and why: a kind's name, a batch, an `--allow-exec` list, a folder. The one
/// error type of the job API; a job that runs and fails is a ``JobFailure``.
public struct JobSetupError: CodedError, Sendable {
    /// What went wrong, to match on; the message says it for people.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        @usableFromInline let name: String

        @usableFromInline
        init(name: String) {
            self.name = name
        }

        /// A kind's name is empty, too long, or holds characters other than letters, digits, `.`, `_` and `-`.
        public static let invalidName = Code(name: "invalid-name")
        /// Two kinds have one name and version.
        public static let duplicateName = Code(name: "duplicate-name")
        /// A batch holds no job.
        public static let emptyBatch = Code(name: "empty-batch")
        /// A batch's jobs are batches.
        public static let nestedBatch = Code(name: "nested-batch")
        /// An entry of an `--allow-exec` list is empty or not an absolute path.
        public static let invalidCommandPolicy = Code(name: "invalid-command-policy")
        /// The system refused to make a folder.
        public static let cannotCreateFolder = Code(name: "cannot-create-folder")

        public var description: String { self.name }
    }

    public var code: Code
    public var message: String
    /// The error behind this one, if any.
    public var cause: (any Error & Sendable)?

    @usableFromInline
    init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }
}
