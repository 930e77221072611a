/// Median, p90 and p99 of a set of samples, by the nearest-rank method.
///
/// Nearest rank rather than interpolation: every figure reported is a value that was actually
/// measured, which matters with the handful of repetitions a benchmark under ten minutes allows.
struct Summary: Codable, Sendable {
    var count: Int
    var median: Double
    var p90: Double
    var p99: Double
    var min: Double
    var max: Double

    init(_ samples: [Double]) {
        let sorted = samples.sorted()
        count = sorted.count
        median = Self.rank(sorted, 0.5)
        p90 = Self.rank(sorted, 0.9)
        p99 = Self.rank(sorted, 0.99)
        min = sorted.first ?? .nan
        max = sorted.last ?? .nan
    }

    /// The smallest sample with at least `fraction` of the samples at or below it.
    static func rank(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let index = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[Swift.max(0, Swift.min(sorted.count - 1, index))]
    }
}

extension Duration {
    /// Seconds as a `Double`, for arithmetic on measurements.
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
