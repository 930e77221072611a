import Foundation

/// The whole `repos` list of a session request.
public enum RepositorySelection {
    /// At most this many distinct repositories per session (DESIGN.md §1).
    public static let maximumCount = 100

    /// Parses every entry, deduplicates case-insensitively keeping the first spelling and order, and
    /// rejects more than `maximumCount` distinct repositories.
    ///
    /// Throws the first bad entry's error: a list that cannot be parsed is rejected as a whole, never
    /// narrowed to the good entries, so the user always gets the selection they asked for or an error.
    public static func parse(
        _ entries: [String], webURL: URL = RepositoryReference.defaultWebURL
    ) throws(RepositoryReferenceError) -> [RepositoryReference] {
        var seen = Set<RepositoryReference>()
        var references: [RepositoryReference] = []
        for entry in entries {
            let reference = try RepositoryReference.parse(entry, webURL: webURL)
            if seen.insert(reference).inserted { references.append(reference) }
        }
        guard references.count <= maximumCount else {
            throw RepositoryReferenceError(
                entry: "\(references.count) repositories", reason: .tooMany(references.count), webURL: webURL)
        }
        return references
    }
}
