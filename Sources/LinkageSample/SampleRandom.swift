import LinkageModel

/// The sample generator's only source of randomness: xoshiro256** seeded through SplitMix64.
///
/// Swift's own random APIs are never used: the same seed must give the same register on every
/// machine and every run. Each county gets its own stream (`SampleRandom(seed:stream:)`), so what
/// one county draws never shifts what another draws.
struct SampleRandom: RandomNumberGenerator {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    init(seed: UInt64, stream: UInt64) {
        var sm = seed ^ (stream &* 0xD1B5_4A32_D192_ED03) ^ 0x5851_F42D_4C95_7F2D
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// 0..<n (n > 0), by the multiply-high method: no division, the same on every platform.
    mutating func below(_ n: Int) -> Int {
        precondition(n > 0)
        return Int(next().multipliedFullWidth(by: UInt64(n)).high)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// A double in [0, 1).
    mutating func unit() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    mutating func chance(_ p: Double) -> Bool { unit() < p }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// Fisher–Yates.
    mutating func shuffle<T>(_ items: inout [T]) {
        var i = items.count
        while i > 1 {
            let j = below(i)
            i -= 1
            items.swapAt(i, j)
        }
    }

    /// Roughly normal: the mean of three uniforms, scaled to the given mean and spread.
    mutating func bell(mean: Double, spread: Double) -> Double {
        let u = (unit() + unit() + unit()) / 3 - 0.5 // -0.5..<0.5, sd ≈ 0.167
        return mean + u * 6 * spread
    }
}

/// Items with integer weights, drawn in proportion to them.
struct SampleWeighted<T>: Sendable where T: Sendable {
    let items: [T]
    private let cumulative: [Int]

    init(_ pairs: [(T, Int)]) {
        items = pairs.map(\.0)
        var total = 0
        cumulative = pairs.map { total += $0.1; return total }
        precondition(total > 0)
    }

    func pick(_ rng: inout SampleRandom) -> T {
        let r = rng.below(cumulative[cumulative.count - 1])
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > r { hi = mid } else { lo = mid + 1 }
        }
        return items[lo]
    }
}

/// Splits `total` into parts in proportion to `weights` (largest remainder; ties to the lower
/// index), so that the parts add up to `total` exactly.
func sampleApportion(_ total: Int, weights: [Double]) -> [Int] {
    guard !weights.isEmpty else { return [] }
    let sum = weights.reduce(0, +)
    guard sum > 0 else {
        var parts = [Int](repeating: total / weights.count, count: weights.count)
        for i in 0..<(total % weights.count) { parts[i] += 1 }
        return parts
    }
    let exact = weights.map { Double(total) * $0 / sum }
    var parts = exact.map { Int($0.rounded(.down)) }
    var left = total - parts.reduce(0, +)
    let order = exact.indices.sorted { a, b in
        let ra = exact[a] - Double(parts[a]), rb = exact[b] - Double(parts[b])
        return ra != rb ? ra > rb : a < b
    }
    var k = 0
    while left > 0 {
        parts[order[k % order.count]] += 1
        left -= 1
        k += 1
    }
    return parts
}
