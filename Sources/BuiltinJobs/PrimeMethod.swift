/// How a prime check decides.
public enum PrimeMethod: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The seed's loop: try every divisor from 2 up to n - 1.
    case trialDivisionToN = 1
    /// Try divisors from 2 up to √n.
    case trialDivisionToSquareRoot = 2
    /// Miller–Rabin with the bases that make it exact for every 64-bit n.
    case millerRabin = 3

    public var description: String {
        switch self {
        case .trialDivisionToN: "trial-n"
        case .trialDivisionToSquareRoot: "trial-sqrt"
        case .millerRabin: "miller-rabin"
        }
    }
}
