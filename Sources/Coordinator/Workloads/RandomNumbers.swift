/// Numbers drawn from a seed, the same for the same seed on every machine (SplitMix64).
public struct RandomNumbers: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        self.state = seed
    }

    public mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` numbers from `0..<below`, as the seed's `random.randint(0, below - 1)`.
    public static func draw(_ count: Int, below: UInt64, seed: UInt64) -> [UInt64] {
        var generator = RandomNumbers(seed: seed)
        return (0..<count).map { _ in UInt64.random(in: 0..<below, using: &generator) }
    }
}
