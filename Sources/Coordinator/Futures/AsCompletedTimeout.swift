/// `asCompleted` ran out of time with futures still not done, as Python's `TimeoutError`.
public struct AsCompletedTimeout: Error, Hashable, Sendable, CustomStringConvertible {
    /// How many of the futures were not done.
    public var notDone: Int

    public var description: String { "\(self.notDone) futures were not done before the timeout" }
}
