/// A numeric error code carried by error frames and failed results.
///
/// Codes below 0x0100 describe the connection and its frames; codes from 0x0100 describe a job.
/// A receiver keeps a code it does not know and shows its number.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    // Frames and connections.
    public static let frameTooLarge = ErrorCode(rawValue: 0x0001)
    public static let truncatedFrame = ErrorCode(rawValue: 0x0002)
    public static let unknownMessageType = ErrorCode(rawValue: 0x0003)
    public static let unknownFlags = ErrorCode(rawValue: 0x0004)
    public static let trailingBytes = ErrorCode(rawValue: 0x0005)
    public static let invalidUTF8 = ErrorCode(rawValue: 0x0006)
    public static let invalidField = ErrorCode(rawValue: 0x0007)
    public static let unknownJobKind = ErrorCode(rawValue: 0x0008)
    public static let unknownStatus = ErrorCode(rawValue: 0x0009)
    public static let versionMismatch = ErrorCode(rawValue: 0x000A)
    public static let notFanout = ErrorCode(rawValue: 0x000B)
    public static let unexpectedMessage = ErrorCode(rawValue: 0x000C)
    public static let handshakeRefused = ErrorCode(rawValue: 0x000D)
    public static let shuttingDown = ErrorCode(rawValue: 0x000E)
    public static let queueFull = ErrorCode(rawValue: 0x000F)
    public static let duplicateJob = ErrorCode(rawValue: 0x0010)
    /// A file the coordinator sent for the run could not be stored, or this worker takes no files.
    public static let transferFailed = ErrorCode(rawValue: 0x0011)

    // Jobs.
    public static let jobFailed = ErrorCode(rawValue: 0x0100)
    public static let jobTimedOut = ErrorCode(rawValue: 0x0101)
    public static let httpStatus = ErrorCode(rawValue: 0x0102)
    public static let networkError = ErrorCode(rawValue: 0x0103)
    public static let childDied = ErrorCode(rawValue: 0x0104)
    public static let invalidJob = ErrorCode(rawValue: 0x0105)
    /// The worker's operator did not allow what the job asks for, such as starting a command.
    public static let notAllowed = ErrorCode(rawValue: 0x0106)

    /// Every code this protocol version defines, with its name.
    public static let known: [ErrorCode: String] = [
        .frameTooLarge: "frame-too-large",
        .truncatedFrame: "truncated-frame",
        .unknownMessageType: "unknown-message-type",
        .unknownFlags: "unknown-flags",
        .trailingBytes: "trailing-bytes",
        .invalidUTF8: "invalid-utf8",
        .invalidField: "invalid-field",
        .unknownJobKind: "unknown-job-kind",
        .unknownStatus: "unknown-status",
        .versionMismatch: "version-mismatch",
        .notFanout: "not-fanout",
        .unexpectedMessage: "unexpected-message",
        .handshakeRefused: "handshake-refused",
        .shuttingDown: "shutting-down",
        .queueFull: "queue-full",
        .duplicateJob: "duplicate-job",
        .transferFailed: "transfer-failed",
        .jobFailed: "job-failed",
        .jobTimedOut: "job-timed-out",
        .httpStatus: "http-status",
        .networkError: "network-error",
        .childDied: "child-died",
        .invalidJob: "invalid-job",
        .notAllowed: "not-allowed",
    ]

    public var description: String {
        let number = "0x" + String(self.rawValue, radix: 16, uppercase: true)
        guard let name = Self.known[self] else { return "unknown error code \(number)" }
        return "\(name) (\(number))"
    }
}
