import Foundation

/// Reads the `KEY=VALUE` lines of a `.env` file.
///
/// Supports what `.env` files written by people contain: blank lines, `#` comments, an optional
/// `export ` prefix, single- or double-quoted values (double quotes understand `\n`), and inline
/// comments after unquoted values. Lines that are not assignments are ignored rather than fatal:
/// a stray line in a developer's file should not stop the server.
public enum DotEnvParser {
    public static func parse(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst("export ".count)) }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { continue }
            values[key] = unquote(line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces))
        }
        return values
    }

    private static func unquote(_ value: String) -> String {
        if value.count >= 2, let quote = value.first, quote == "\"" || quote == "'",
           let end = value.dropFirst().firstIndex(of: quote) {
            let inner = String(value[value.index(after: value.startIndex)..<end])
            return quote == "\"" ? inner.replacingOccurrences(of: "\\n", with: "\n") : inner
        }
        if let hash = value.range(of: " #") {
            return String(value[..<hash.lowerBound]).trimmingCharacters(in: .whitespaces)
        }
        return value
    }
}
