import Foundation

/// A strict reader of the Prometheus text exposition format (version 0.0.4), enough to check what
/// `/metrics` serves: `# HELP` and `# TYPE` lines, and samples `name{label="value",…} value`.
///
/// Strict where a lenient scraper would shrug: every sample must belong to a family with a
/// `# TYPE` line seen before it, a family is typed once, names and label names must be valid,
/// label values must be properly quoted and escaped, values must parse, and a series (name plus
/// labels) appears only once.
struct PrometheusText {
    struct Sample: Equatable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    struct ParseError: Error, CustomStringConvertible {
        let line: Int
        let reason: String
        let text: String
        var description: String { "line \(line): \(reason): \(text)" }
    }

    private(set) var types: [String: String] = [:]
    private(set) var help: [String: String] = [:]
    private(set) var samples: [Sample] = []

    init(_ text: String) throws {
        guard text.isEmpty || text.hasSuffix("\n") else {
            throw ParseError(line: 0, reason: "the exposition must end with a newline", text: String(text.suffix(40)))
        }
        var seenSeries: Set<String> = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().enumerated() {
            let number = index + 1
            func fail(_ reason: String) -> ParseError { ParseError(line: number, reason: reason, text: String(line)) }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
                guard parts.count >= 3, parts[0] == "#", parts[1] == "HELP" || parts[1] == "TYPE" else {
                    throw fail("a comment line must be `# HELP name text` or `# TYPE name type`")
                }
                let name = String(parts[2])
                guard Self.isMetricName(name) else { throw fail("invalid metric name") }
                if parts[1] == "TYPE" {
                    guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                        throw fail("unknown metric type")
                    }
                    guard types[name] == nil else { throw fail("a second TYPE line for \(name)") }
                    guard !samples.contains(where: { family(of: $0.name) == name }) else { throw fail("TYPE after samples of \(name)") }
                    types[name] = String(parts[3])
                } else {
                    guard help[name] == nil else { throw fail("a second HELP line for \(name)") }
                    help[name] = parts.count == 4 ? String(parts[3]) : ""
                }
                continue
            }
            let sample = try Self.sample(Substring(line), fail: fail)
            guard let family = family(of: sample.name) else { throw fail("sample of \(sample.name) has no TYPE line before it") }
            if types[family] == "counter" && (sample.value < 0 || sample.value.isNaN) { throw fail("a counter must be non-negative") }
            let series = sample.name + "{" + sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "}"
            guard seenSeries.insert(series).inserted else { throw fail("series \(series) appears twice") }
            samples.append(sample)
        }
    }

    /// The typed family a sample name belongs to: itself, or a histogram's or summary's base name
    /// for its `_bucket`, `_sum` and `_count` series.
    func family(of name: String) -> String? {
        if types[name] != nil { return name }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if let type = types[base], type == "histogram" || (type == "summary" && suffix != "_bucket") { return base }
        }
        return nil
    }

    /// The value of the series with exactly these labels, if present.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// The sum over every series of `name` whose labels include `matching`.
    func sum(_ name: String, matching: [String: String] = [:]) -> Double {
        samples.filter { sample in sample.name == name && matching.allSatisfy { sample.labels[$0.key] == $0.value } }
            .reduce(0) { $0 + $1.value }
    }

    // MARK: Lexing

    private static func sample(_ line: Substring, fail: (String) -> ParseError) throws -> Sample {
        var rest = line[...]
        let name = String(rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" })
        guard isMetricName(name) else { throw fail("invalid metric name") }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let labelName = String(rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
                guard isLabelName(labelName) else { throw fail("invalid label name") }
                rest = rest.dropFirst(labelName.count)
                guard rest.hasPrefix("=\"") else { throw fail("expected =\" after label \(labelName)") }
                rest = rest.dropFirst(2)
                var value = ""
                while true {
                    guard let character = rest.popFirst() else { throw fail("unterminated label value") }
                    if character == "\"" { break }
                    if character == "\\" {
                        switch rest.popFirst() {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw fail("invalid escape in label value")
                        }
                    } else {
                        value.append(character)
                    }
                }
                guard labels.updateValue(value, forKey: labelName) == nil else { throw fail("label \(labelName) given twice") }
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { throw fail("expected , or } after a label") }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw fail("expected one space before the value") }
        let fields = rest.dropFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 1 || fields.count == 2, let value = parseValue(fields[0]) else { throw fail("invalid sample value") }
        if fields.count == 2, Int64(fields[1]) == nil { throw fail("invalid timestamp") }
        return Sample(name: name, labels: labels, value: value)
    }

    private static func parseValue(_ text: Substring) -> Double? {
        switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(text)
        }
    }

    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter || first == "_" || first == ":" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "_" || $0 == ":" }
    }

    static func isLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "_" }
    }
}

private extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
