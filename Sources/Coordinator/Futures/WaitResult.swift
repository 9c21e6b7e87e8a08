/// The futures that were done when a wait returned, and those that were not.
public struct WaitResult<Future: Hashable & Sendable>: Sendable {
    public var done: Set<Future>
    public var notDone: Set<Future>
}
