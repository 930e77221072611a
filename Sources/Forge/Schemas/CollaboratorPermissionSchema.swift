import Foundation

/// GitHub's `repository-collaborator-permission`: the legacy `permission` (admin, write, read,
/// none), the actual `role_name`, and the user with their `permissions` flags.
enum CollaboratorPermissionSchema {
    static func json(account: AccountRecord, role: RepositoryRole?, in snapshot: ForgeSnapshot) -> JSONValue {
        let roleName = role?.rawValue ?? "none"
        var user = AccountSchema.json(account, urls: snapshot.urls)
        if case .object(var fields) = user {
            func has(_ level: RepositoryRole) -> JSONValue { .bool(role.map { $0 >= level } ?? false) }
            fields.append(("permissions", [
                "admin": has(.admin), "maintain": has(.maintain), "push": has(.write), "triage": has(.triage), "pull": has(.read),
            ]))
            fields.append(("role_name", .string(roleName)))
            user = .object(fields)
        }
        return [
            "permission": .string(role?.legacyPermission ?? "none"),
            "role_name": .string(roleName),
            "user": user,
        ]
    }
}
