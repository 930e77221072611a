import Foundation

/// What every scenario is given: the command-line settings.
struct BenchContext: Sendable {
    /// Interleaved measured/baseline pairs per case (scenarios with a deterministic outcome, such
    /// as call counts, run once).
    var repetitions: Int
    /// `--real-repo`, or nil for the largest repository of the local package mirror.
    var realRepository: String?
    /// Log level of the forge and control-plane processes: quiet, so logging is not measured.
    var logLevel = "warning"
}
