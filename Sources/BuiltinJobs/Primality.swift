/// Decides whether a number is prime, by each ``PrimeMethod``.
public enum Primality {
    public static func isPrime(_ n: UInt64, method: PrimeMethod) -> Bool {
        switch method {
        case .trialDivisionToN: Self.trialDivisionToN(n)
        case .trialDivisionToSquareRoot: Self.trialDivisionToSquareRoot(n)
        case .millerRabin: Self.millerRabin(n)
        }
    }

    /// The seed's loop, kept slow on purpose: every divisor from 2 to n - 1.
    public static func trialDivisionToN(_ n: UInt64) -> Bool {
        guard n >= 2 else { return false }
        var divisor: UInt64 = 2
        while divisor < n {
            if n % divisor == 0 { return false }
            divisor += 1
        }
        return true
    }

    /// Divisors 2, 3, then 6k ± 1 up to √n.
    public static func trialDivisionToSquareRoot(_ n: UInt64) -> Bool {
        guard n >= 2 else { return false }
        if n < 4 { return true }
        if n % 2 == 0 || n % 3 == 0 { return false }
        var divisor: UInt64 = 5
        // divisor <= n / divisor is divisor² <= n without overflow.
        while divisor <= n / divisor {
            if n % divisor == 0 || n % (divisor + 2) == 0 { return false }
            divisor += 6
        }
        return true
    }

    /// Miller–Rabin with the first twelve primes as bases, which is exact for every n below 2⁶⁴.
    public static func millerRabin(_ n: UInt64) -> Bool {
        let bases: [UInt64] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37]
        guard n >= 2 else { return false }
        for base in bases {
            if n == base { return true }
            if n % base == 0 { return false }
        }
        // n - 1 = d · 2^s with d odd.
        let s = (n - 1).trailingZeroBitCount
        let d = (n - 1) >> s
        witnessLoop: for base in bases {
            var x = Self.power(base, d, modulo: n)
            if x == 1 || x == n - 1 { continue }
            for _ in 1..<s {
                x = Self.multiply(x, x, modulo: n)
                if x == n - 1 { continue witnessLoop }
            }
            return false
        }
        return true
    }

    static func multiply(_ a: UInt64, _ b: UInt64, modulo m: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return m.dividingFullWidth((product.high, product.low)).remainder
    }

    static func power(_ base: UInt64, _ exponent: UInt64, modulo m: UInt64) -> UInt64 {
        var result: UInt64 = 1
        var base = base % m
        var exponent = exponent
        while exponent > 0 {
            if exponent & 1 == 1 { result = Self.multiply(result, base, modulo: m) }
            base = Self.multiply(base, base, modulo: m)
            exponent >>= 1
        }
        return result
    }
}
