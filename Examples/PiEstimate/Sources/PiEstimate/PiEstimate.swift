import FanoutJobs

/// Monte Carlo π: throws `samples` darts at the unit square from a generator seeded with `seed`, and counts
/// those that land inside the quarter circle. π ≈ 4 × hits / samples.
///
/// `Codable`, so its input and output travel as JSON with no code of ours; a `ComputeJob`, so it runs on one
/// of its worker slot's threads.
struct PiEstimate: ComputeJob, Codable {
    typealias Output = UInt64

    static let kind = JobKindName("pi.estimate", version: 1)

    var samples: UInt64
    var seed: UInt64

    func compute() throws -> UInt64 {
        var generator = SplitMix64(seed: self.seed)
        var hits: UInt64 = 0
        for _ in 0..<self.samples {
            let x = generator.nextUnitDouble()
            let y = generator.nextUnitDouble()
            if x * x + y * y <= 1 { hits += 1 }
        }
        return hits
    }
}

/// A small, fast generator whose numbers depend only on its seed, so a job gives the same hits wherever it runs.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in [0, 1) from the top 53 bits.
    mutating func nextUnitDouble() -> Double {
        Double(self.next() >> 11) * 0x1.0p-53
    }
}
