/// One frame's worth of meaning: every message either side may send.
public enum Message: Hashable, Sendable {
    case hello(Hello)
    case submit(Submit)
    case started(Started)
    case result(JobResult)
    case cancel(Cancel)
    /// Finish the jobs in flight, send their results, say goodbye and close: the poison pill.
    case drain
    /// The last frame before a clean close.
    case goodbye
    case ping(Ping)
    case pong(Pong)
    case error(ErrorReport)
    /// Part of a file for the session's run folder.
    case put(Put)

    public var type: MessageType {
        switch self {
        case .hello: .hello
        case .submit: .submit
        case .started: .started
        case .result: .result
        case .cancel: .cancel
        case .drain: .drain
        case .goodbye: .goodbye
        case .ping: .ping
        case .pong: .pong
        case .error: .error
        case .put: .put
        }
    }
}
