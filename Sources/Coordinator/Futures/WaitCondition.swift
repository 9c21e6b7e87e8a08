/// When ``Cluster/wait(_:returnWhen:timeout:)`` returns, as `concurrent.futures`'s `return_when`.
public enum WaitCondition: Hashable, Sendable {
    /// As soon as any future is done.
    case firstCompleted
    /// As soon as any future fails (a cancelled one does not count), or when all are done.
    case firstException
    /// When every future is done.
    case allCompleted
}
