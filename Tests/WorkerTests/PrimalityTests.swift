import FanoutProtocol
import FanoutBuiltinJobs
import Testing

@Suite("Primality")
struct PrimalityTests {
    @Test("all three methods agree with a sieve below 20 000")
    func agreeWithSieve() {
        let limit = 20_000
        var composite = [Bool](repeating: false, count: limit)
        composite[0] = true
        composite[1] = true
        for p in 2..<limit where !composite[p] {
            for multiple in stride(from: p * p, to: limit, by: p) { composite[multiple] = true }
        }
        for n in 0..<limit {
            let expected = !composite[n]
            for method in PrimeMethod.allCases {
                #expect(Primality.isPrime(UInt64(n), method: method) == expected, "\(n) by \(method)")
            }
        }
    }

    @Test(
        "Miller–Rabin and √n trial division agree on hard 64-bit cases",
        arguments: [
            (UInt64(3_215_031_751), false),  // strong pseudoprime to bases 2, 3, 5, 7
            (UInt64(3_825_123_056_546_413_051), false),  // strong pseudoprime to bases 2 through 23
            (UInt64(561), false),  // Carmichael number
            (UInt64(1_000_000_007), true),
            (UInt64(4_294_967_291), true),  // largest prime below 2^32
            (UInt64(4_294_967_297), false),  // 641 × 6700417
            (UInt64(99_999_989), true),
            (UInt64(100_000_000 - 1), false),
        ]
    )
    func hardCases(n: UInt64, isPrime: Bool) {
        #expect(Primality.millerRabin(n) == isPrime)
        #expect(Primality.trialDivisionToSquareRoot(n) == isPrime)
    }

    @Test("Miller–Rabin at the top of the 64-bit range")
    func largest() {
        #expect(Primality.millerRabin(18_446_744_073_709_551_557))  // largest prime below 2^64
        #expect(!Primality.millerRabin(.max))
        #expect(!Primality.millerRabin(18_446_744_073_709_551_555))  // divisible by 5
    }

    static let carmichaelNumbers: [UInt64] = [
        561, 1105, 1729, 2465, 2821, 6601, 8911, 10585, 15841, 29341, 41041, 46657, 52633, 62745, 63973, 75361,
        101_101, 115_921, 126_217, 162_401, 172_081, 188_461, 252_601, 278_545, 294_409, 314_821, 334_153, 340_561,
        399_001, 410_041, 449_065, 488_881, 512_461,
    ]

    @Test("all three methods call Carmichael numbers and squares of primes composite")
    func carmichaelAndSquares() {
        let primes: [UInt64] = [2, 3, 5, 7, 11, 13, 31, 101, 211, 499, 997]
        for n in Self.carmichaelNumbers + primes.map({ $0 * $0 }) {
            for method in PrimeMethod.allCases {
                #expect(!Primality.isPrime(n, method: method), "\(n) by \(method)")
            }
        }
        // Squares of large primes, where √n trial division ends exactly at the factor.
        for p: UInt64 in [65_521, 4_294_967_291, 1_000_003] {
            #expect(!Primality.millerRabin(p * p))
            if p < 2_000_000 { #expect(!Primality.trialDivisionToSquareRoot(p * p)) }
        }
    }

    @Test("the seed's method gives the seed's answers")
    func seedMethod() {
        #expect(!Primality.trialDivisionToN(0))
        #expect(!Primality.trialDivisionToN(1))
        #expect(Primality.trialDivisionToN(2))
        #expect(Primality.trialDivisionToN(99_991))
        #expect(!Primality.trialDivisionToN(99_993))
    }

    @Test("recursive Fibonacci matches the sequence")
    func fibonacci() {
        let expected: [UInt64] = [0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55]
        #expect((0...10).map { Fibonacci.recursive(UInt32($0)) } == expected)
        #expect(Fibonacci.recursive(30) == 832_040)
    }
}
