import FanoutProtocol

extension JobFailure {
    /// The failure a job of `kind` ends with when its run throws `error`.
    public init(_ error: any Error, kind: JobKindName) {
        switch error {
        case let failure as JobFailure:
            self = failure
        case is CancellationError:
            self.init(code: .jobFailed, message: "\(kind) job was cancelled while running")
        default:
            self.init(code: .jobFailed, message: "\(kind) job failed: \(error)")
        }
    }
}
