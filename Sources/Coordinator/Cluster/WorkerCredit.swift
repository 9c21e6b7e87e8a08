/// How many jobs a worker is given at once: its slots, plus a prefetch that grows when jobs are short next to
/// the time an answer takes to come back, so that no slot idles while results travel.
///
/// A slot that finishes a job waits for its next one unless that job is already queued at the worker. To keep
/// every slot busy a worker must hold `slots × (1 + return / run)` jobs, where `run` is a job's run time and
/// `return` the rest of its round trip (the wire both ways and the coordinator's own handling). Both are
/// averaged over recent answers; the prefetch stays within the configured bounds, and a worker that said its
/// queue was full is never given more than it held then.
struct WorkerCredit: Hashable, Sendable {
    let slots: Int
    let minimumPrefetch: Int
    let maximumPrefetch: Int
    /// The most the worker may hold, once it has turned a job away; 0 while it drains.
    var ceiling: Int?
    private(set) var runNanoseconds: Double?
    private(set) var returnNanoseconds: Double?

    /// Weight of the newest answer in the running averages.
    static let smoothing = 0.125
    /// Run times below this count as this, so that a no-op does not ask for an unbounded prefetch.
    static let shortestRun = 1_000.0

    init(slots: Int, minimumPrefetch: Int, maximumPrefetch: Int) {
        self.slots = max(1, slots)
        self.minimumPrefetch = max(0, minimumPrefetch)
        self.maximumPrefetch = max(self.minimumPrefetch, maximumPrefetch)
    }

    /// Jobs beyond the slots, as the averages call for.
    var prefetch: Int {
        guard let run = self.runNanoseconds, let back = self.returnNanoseconds else { return self.minimumPrefetch }
        let wanted = (Double(self.slots) * back / max(run, Self.shortestRun)).rounded(.up)
        return Int(min(Double(self.maximumPrefetch), max(Double(self.minimumPrefetch), wanted)))
    }

    /// Jobs the worker may hold at once.
    var limit: Int {
        let wanted = self.slots + self.prefetch
        return self.ceiling.map { min($0, wanted) } ?? wanted
    }

    /// Takes in one answered job: how long it ran, and how much of its round trip was neither queueing nor
    /// running at the worker.
    mutating func observe(runNanoseconds run: UInt64, returnNanoseconds back: UInt64) {
        func average(_ old: Double?, _ new: UInt64) -> Double {
            old.map { $0 + Self.smoothing * (Double(new) - $0) } ?? Double(new)
        }
        self.runNanoseconds = average(self.runNanoseconds, run)
        self.returnNanoseconds = average(self.returnNanoseconds, back)
    }
}
