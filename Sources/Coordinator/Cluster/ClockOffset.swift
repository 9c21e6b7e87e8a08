import FanoutProtocol

/// How far a worker's wall clock runs ahead of the coordinator's, estimated from ping and pong.
///
/// Each pong gives one sample, whose error is at most half its round trip. As NTP's clock filter does, the
/// estimate is the sample with the shortest round trip among the last ``window`` samples: queueing inflates a
/// round trip and skews its offset, so the fastest exchange is the most trustworthy.
public struct ClockOffset: Hashable, Sendable {
    public struct Sample: Hashable, Sendable {
        /// Nanoseconds the worker's clock runs ahead of the coordinator's.
        public var offsetNanoseconds: Int64
        public var roundTripNanoseconds: Int64
    }

    public static let window = 8

    private var samples: [Sample] = []
    /// The estimate; nil before the first pong.
    public private(set) var best: Sample?
    /// The last sample; nil before the first pong.
    public var latest: Sample? { self.samples.last }

    public init() {}

    /// Adds the sample `pong` gives, which came back at `receivedBack` on the coordinator's clock; a pong whose
    /// timestamps cannot be right gives none.
    public mutating func add(_ pong: Pong, receivedBack: UInt64) {
        guard let offset = pong.clockOffsetNanoseconds(receivedBack: receivedBack),
            let roundTrip = pong.roundTripNanoseconds(receivedBack: receivedBack)
        else { return }
        self.add(Sample(offsetNanoseconds: offset, roundTripNanoseconds: roundTrip))
    }

    public mutating func add(_ sample: Sample) {
        if self.samples.count == Self.window { self.samples.removeFirst() }
        self.samples.append(sample)
        self.best = self.samples.min { $0.roundTripNanoseconds < $1.roundTripNanoseconds }
    }

    /// `workerTime`, a wall-clock reading on the worker, on the coordinator's clock (kept within 0 and
    /// `UInt64.max`); unchanged before the first pong.
    public func coordinatorTime(ofWorkerTime workerTime: UInt64) -> UInt64 {
        let mapped = Int128(workerTime) - Int128(self.best?.offsetNanoseconds ?? 0)
        return UInt64(clamping: mapped)
    }
}
