import Foundation

/// Equality-based label selectors, as `?labelSelector=` takes them: `k=v`, `k==v`, `k!=v`, `k`,
/// `!k`, joined by `,` (all must hold). Set-based ones (`in`, `notin`) are refused with 400, not
/// silently ignored (client-go's fake watch ignores selectors; this one does not).
struct LabelSelector: Sendable {
    private enum Requirement: Sendable {
        case equals(String, String)
        case notEquals(String, String)
        case exists(String)
        case absent(String)
    }

    private let requirements: [Requirement]

    init(_ text: String?) throws(APIStatus) {
        var requirements: [Requirement] = []
        for part in (text ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            if part.contains(" in ") || part.contains(" notin ") || part.contains("(") {
                throw .badRequest("unable to parse requirement: set-based selectors are not supported by this stand-in: \(part)")
            }
            if let range = part.range(of: "!=") {
                requirements.append(.notEquals(String(part[..<range.lowerBound]), String(part[range.upperBound...])))
            } else if let range = part.range(of: "==") ?? part.range(of: "=") {
                requirements.append(.equals(String(part[..<range.lowerBound]), String(part[range.upperBound...])))
            } else if part.hasPrefix("!") {
                requirements.append(.absent(String(part.dropFirst())))
            } else {
                requirements.append(.exists(part))
            }
        }
        self.requirements = requirements
    }

    func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): labels[key] == value
            case .notEquals(let key, let value): labels[key] != value
            case .exists(let key): labels[key] != nil
            case .absent(let key): labels[key] == nil
            }
        }
    }
}
