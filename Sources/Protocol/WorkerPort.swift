/// The TCP port a worker listens on when neither side names one.
public enum WorkerPort {
    public static let `default` = 7420
}
