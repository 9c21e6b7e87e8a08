@testable import FanoutWorker

extension JobOrigin {
    /// A job from no coordinator and with no files, for tests that drive a scheduler or pool directly.
    static let unknown = JobOrigin(requester: nil, transferFolder: nil)
}
