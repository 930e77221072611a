import Foundation
/// The body of `POST /app/installations/{id}/access_tokens`, checked against the installation
/// with GitHub's rules and error messages.
struct MintRequest: Sendable {
    var repositoryNames: [String]?
    var repositoryIDs: [Int]?
    var permissions: [String: String]?

    enum Problem: Error, Equatable {
        /// 400 `Problems parsing JSON`.
        case unparsable
        /// 422, a repository outside the installation.
        case inaccessibleRepository
        /// 422, a permission above the grant.
        case permissionNotGranted

        var message: String {
            switch self {
            case .unparsable: return "Problems parsing JSON"
            case .inaccessibleRepository:
                return "There is at least one repository that does not exist or is not accessible to the parent installation."
            case .permissionNotGranted: return "The permissions requested are not granted to this installation."
            }
        }
    }

    /// Parses the body; an empty body means `{}` (some clients send nothing).
    init(body: [UInt8]) throws(Problem) {
        let trimmed = body.filter { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }
        guard !trimmed.isEmpty else { return }
        guard let json = try? JSONValue.parse(body), case .object = json else { throw .unparsable }
        if let value = json["repositories"], value != .null {
            guard let array = value.arrayValue else { throw .unparsable }
            var names: [String] = []
            for element in array {
                guard let name = element.stringValue else { throw .unparsable }
                names.append(name)
            }
            repositoryNames = names
        }
        if let value = json["repository_ids"], value != .null {
            guard let array = value.arrayValue else { throw .unparsable }
            var ids: [Int] = []
            for element in array {
                guard let id = element.intValue ?? element.stringValue.flatMap({ Int($0) }) else { throw .unparsable }
                ids.append(id)
            }
            repositoryIDs = ids
        }
        if let value = json["permissions"], value != .null {
            guard let fields = value.objectValue else { throw .unparsable }
            var permissions: [String: String] = [:]
            for (name, level) in fields {
                guard let level = level.stringValue else { throw .unparsable }
                permissions[name] = level
            }
            self.permissions = permissions
        }
    }

    /// What the token will carry: resolved repository IDs (`nil` = all of the installation) and
    /// permissions (always including `metadata: read`).
    struct Resolution: Sendable {
        var repositories: [RepositoryRecord]?
        var permissions: [String: String]
    }

    func resolve(against installation: InstallationRecord, metadata: ForgeMetadata) throws(Problem) -> Resolution {
        let covered = metadata.repositories(of: installation)
        var selected: [RepositoryRecord]? = nil
        if repositoryNames != nil || repositoryIDs != nil {
            var chosen: [RepositoryRecord] = []
            func add(_ repository: RepositoryRecord) {
                if !chosen.contains(where: { $0.id == repository.id }) { chosen.append(repository) }
            }
            for name in repositoryNames ?? [] {
                // Bare names resolve against the installation's owner; `owner/name` is not a name.
                guard let repository = covered.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) else {
                    throw .inaccessibleRepository
                }
                add(repository)
            }
            for id in repositoryIDs ?? [] {
                guard let repository = covered.first(where: { $0.id == id }) else { throw .inaccessibleRepository }
                add(repository)
            }
            if chosen.isEmpty && (repositoryNames?.isEmpty == false || repositoryIDs?.isEmpty == false) {
                throw .inaccessibleRepository
            }
            selected = chosen.isEmpty ? nil : chosen
        }

        var granted = installation.permissions
        if let requested = permissions, !requested.isEmpty {
            for (name, level) in requested {
                guard let grant = installation.permissions[name], PermissionLevel.rank(level) > 0,
                      PermissionLevel.rank(level) <= PermissionLevel.rank(grant)
                else { throw .permissionNotGranted }
            }
            granted = requested
        }
        granted["metadata"] = granted["metadata"] ?? "read"
        return Resolution(repositories: selected, permissions: granted)
    }
}
