/// The kinds of job Fanout ships; the byte that says how to read a job spec or output.
public enum JobKind: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case primeCheck = 1
    case fibonacci = 2
    case flagDownload = 3
    case sleep = 4
    case noop = 5
    /// Several jobs of the other kinds, run one after another in one slot.
    case batch = 6

    public var description: String {
        switch self {
        case .primeCheck: "prime-check"
        case .fibonacci: "fibonacci"
        case .flagDownload: "flag-download"
        case .sleep: "sleep"
        case .noop: "noop"
        case .batch: "batch"
        }
    }
}
