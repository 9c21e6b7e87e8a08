/// Why a job failed.
public struct JobFailure: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    /// A number that goes with the code: the HTTP status for `.httpStatus`, the signal or exit status
    /// for `.childDied`; 0 where the code has none.
    public var detail: UInt32
    public var message: String

    /// A message longer than a wire string holds (64 KiB of UTF-8) is cut to fit.
    public init(code: ErrorCode, detail: UInt32 = 0, message: String) {
        self.code = code
        self.detail = detail
        self.message = message.truncatedToWireLimit()
    }

    public var description: String { "\(self.message) [\(self.code)]" }
}
