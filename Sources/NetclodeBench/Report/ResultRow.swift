/// One line of the results table: a measurement, its baseline when it has one, the target and
/// whether it was met.
///
/// Every number comes from this run; `target` is the requirement as written in the issue, and
/// `pass` is computed from the measurement, never set by hand.
struct ResultRow: Codable, Sendable {
    var scenario: String
    var label: String
    var unit: String
    var measured: Summary
    var baseline: Summary?
    /// `measured.median / baseline.median` (or the inverse for throughput rows, see `note`).
    var ratio: Double?
    var target: String
    /// nil for rows that only inform (no target applies): shown as "info".
    var pass: Bool?
    var note: String = ""
    /// The raw samples (seconds, requests/s, MB, counts), for anyone re-analysing the JSON.
    var samples: [Double] = []
    var baselineSamples: [Double] = []
    /// Replaces the numeric measured/baseline columns where a row is not a distribution (the
    /// GitHub call counts of one lifecycle step).
    var measuredText: String?
    var baselineText: String?
}
