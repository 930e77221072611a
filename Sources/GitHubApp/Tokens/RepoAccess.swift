import Foundation

/// The access level a session asks for on its repositories.
///
/// It maps one-to-one onto the GitHub App `contents` permission of the installation token:
/// `read` allows clone and fetch, `write` also allows push. GitHub always adds `metadata: read`.
public enum RepoAccess: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case read
    case write

    /// The default when a session names repositories but no level.
    public static let `default`: RepoAccess = .read

    public var description: String { rawValue }

    /// Parses the user's spelling (`read`, `write`, any case, surrounding white space ignored).
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        self.init(rawValue: trimmed)
    }
}
