import Foundation

/// Reads RFC 8288 `Link` headers as GitHub sends them for pagination:
/// `<https://api.github.com/installation/repositories?page=2>; rel="next", <...>; rel="last"`.
enum LinkHeader {
    /// The URL of the link with relation `relation`, if any.
    static func url(in header: String, relation: String) -> String? {
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let target = pieces.first, target.hasPrefix("<"), target.hasSuffix(">") else { continue }
            let relations = pieces.dropFirst().compactMap { parameter -> String? in
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2, pair[0].lowercased() == "rel" else { return nil }
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
            if relations.contains(where: { $0.split(separator: " ").contains(Substring(relation)) }) {
                return String(target.dropFirst().dropLast())
            }
        }
        return nil
    }
}
