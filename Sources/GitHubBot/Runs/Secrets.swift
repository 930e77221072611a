import Foundation

/// Masks GitHub tokens (`ghs_…`, `ghu_…`, `ghp_…`, `gho_…`, `ghr_…`, `github_pat_…`) in text the
/// bot writes on GitHub: the agent's output and git's errors pass through here first.
enum Secrets {
    static func redacted(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var rest = Substring(text)
        while let range = nextToken(in: rest) {
            result += rest[..<range.lowerBound]
            result += "[redacted]"
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }

    private static let prefixes = ["ghs_", "ghu_", "ghp_", "gho_", "ghr_", "github_pat_"]

    private static func nextToken(in text: Substring) -> Range<Substring.Index>? {
        var search = text.startIndex
        while search < text.endIndex {
            let candidates = prefixes.compactMap { text[search...].range(of: $0) }
            guard let first = candidates.min(by: { $0.lowerBound < $1.lowerBound }) else { return nil }
            var end = first.upperBound
            while end < text.endIndex, text[end].isASCII, text[end].isLetter || text[end].isNumber || text[end] == "_" {
                end = text.index(after: end)
            }
            if text.distance(from: first.upperBound, to: end) >= 20 { return first.lowerBound..<end }
            search = first.upperBound
        }
        return nil
    }
}
