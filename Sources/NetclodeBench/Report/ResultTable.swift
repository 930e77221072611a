import Foundation

/// Renders result rows as a Markdown table (what docs/benchmarks.md quotes) and as JSON.
enum ResultTable {
    static func markdown(_ rows: [ResultRow]) -> String {
        var lines = [
            "| scenario | case | measured (median / p90) | baseline (median / p90) | ratio | target | result |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in rows {
            let measured = row.measuredText ?? "\(format(row.measured.median, row.unit)) / \(format(row.measured.p90, row.unit))"
            let baseline = row.baselineText ?? row.baseline.map { "\(format($0.median, row.unit)) / \(format($0.p90, row.unit))" } ?? "—"
            let ratio = row.ratio.map { String(format: "%.2f", $0) } ?? "—"
            let result = row.pass.map { $0 ? "PASS" : "**MISS**" } ?? "info"
            lines.append("| \(row.scenario) | \(row.label) | \(measured) | \(baseline) | \(ratio) | \(row.target) | \(result) |")
        }
        return lines.joined(separator: "\n")
    }

    static func format(_ value: Double, _ unit: String) -> String {
        guard value.isFinite else { return "n/a" }
        switch unit {
        case "s": return value < 1 ? String(format: "%.1f ms", value * 1000) : String(format: "%.2f s", value)
        case "ms": return String(format: "%.2f ms", value)
        case "req/s": return String(format: "%.0f req/s", value)
        case "MB": return String(format: "%.1f MB", value)
        case "count": return String(format: "%.0f", value)
        default: return String(format: "%.3g", value) + " " + unit
        }
    }

    struct Document: Codable {
        var date: String
        var machine: [String: String]
        var command: [String]
        var rows: [ResultRow]
    }

    static func writeJSON(_ rows: [ResultRow], to path: String, machine: [String: String]) throws {
        let document = Document(
            date: ISO8601DateFormatter().string(from: Date()), machine: machine,
            command: CommandLine.arguments, rows: rows)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try encoder.encode(document).write(to: URL(fileURLWithPath: path))
    }
}
