import Foundation

/// A commit author: `Name <email>`.
public struct GitAuthor: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let email: String

    public init(name: String, email: String) {
        self.name = name
        self.email = email
    }

    /// Parses `Name <email>`; nil when it is not of that form (or has characters git refuses).
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") else { return nil }
        let name = trimmed[..<open].trimmingCharacters(in: .whitespaces)
        let email = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        let forbidden = CharacterSet(charactersIn: "<>\n\r\0")
        guard !name.isEmpty, name.count <= 200, email.count <= 200, email.contains("@"),
              name.rangeOfCharacter(from: forbidden) == nil, email.rangeOfCharacter(from: forbidden.union(.whitespaces)) == nil
        else { return nil }
        self.name = name
        self.email = email
    }

    public var description: String { "\(name) <\(email)>" }
}
