import Foundation

/// The people part of `forge init`: users, their roles, their tokens and the issues they open.
/// Checked completely before anything is written (`init`), then written into the staging
/// directory with the rest (`write`).
struct PeoplePlan {
    /// Every user who gets a token, in declaration order (`--user`, then `--collaborator`).
    private(set) var logins: [String] = []
    private var roles: [(repository: (owner: String, name: String), login: String, role: RepositoryRole)] = []
    private var issues: [SeedIssue] = []

    init(_ options: ForgeInitOptions, repositories: [ForgeInitializer.PlannedRepository]) throws {
        func addLogin(_ login: String, argument: String) throws {
            if let problem = GitHubNames.ownerProblem(login) {
                throw ForgeError.invalidArgument(argument: argument, reason: problem.replacingOccurrences(of: "the owner", with: "the login"))
            }
            if !logins.contains(where: { $0.caseInsensitiveCompare(login) == .orderedSame }) { logins.append(login) }
        }
        func planned(_ fullName: String, argument: String) throws -> ForgeInitializer.PlannedRepository {
            let (owner, name) = try GitHubNames.parseFullName(fullName, argument: argument)
            guard let repository = repositories.first(where: { $0.matches(owner, name) }) else {
                throw ForgeError.invalidArgument(argument: "\(argument) \(fullName)", reason: "\(fullName) is not a repository of this forge")
            }
            return repository
        }

        for login in options.users { try addLogin(login, argument: "--user \(login)") }
        for value in options.collaborators {
            let argument = "--collaborator \(value)"
            let parts = value.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else { throw ForgeError.invalidArgument(argument: argument, reason: "expected OWNER/NAME:LOGIN:ROLE") }
            guard let role = RepositoryRole(rawValue: parts[2]) else {
                throw ForgeError.invalidArgument(argument: argument, reason: "the role '\(parts[2])' is not one of \(RepositoryRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let repository = try planned(parts[0], argument: "--collaborator")
            guard repository.owner.caseInsensitiveCompare(parts[1]) != .orderedSame else {
                throw ForgeError.invalidArgument(argument: argument, reason: "\(parts[1]) owns \(parts[0]) (owners are admins already)")
            }
            guard !roles.contains(where: { $0.login.caseInsensitiveCompare(parts[1]) == .orderedSame && repository.matches($0.repository.owner, $0.repository.name) }) else {
                throw ForgeError.invalidArgument(argument: argument, reason: "\(parts[1]) already has a role on \(parts[0])")
            }
            try addLogin(parts[1], argument: argument)
            roles.append(((repository.owner, repository.name), parts[1], role))
        }
        for issue in options.issues {
            let argument = "--issue \(issue.repository):\(issue.author):\(issue.title)"
            let repository = try planned(issue.repository, argument: "--issue")
            let isOwner = repository.owner.caseInsensitiveCompare(issue.author) == .orderedSame
            let isCollaborator = roles.contains { $0.login.caseInsensitiveCompare(issue.author) == .orderedSame && repository.matches($0.repository.owner, $0.repository.name) }
            guard isOwner || isCollaborator else {
                throw ForgeError.invalidArgument(argument: argument, reason: "\(issue.author) has no role on \(issue.repository) (the forge's repositories are private)")
            }
            guard !issue.title.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ForgeError.invalidArgument(argument: argument, reason: "the title is empty")
            }
            issues.append(issue)
        }
    }

    /// Writes the token files (`users/LOGIN.token`, 0600, in a 0700 directory) and
    /// `activity.json` with the issues; returns what `forge.json` records.
    func write(repositories: [RepositoryRecord], to layout: ForgeLayout) throws -> (collaborators: [CollaboratorRecord], userTokens: [UserTokenRecord]) {
        func record(_ owner: String, _ name: String) -> RepositoryRecord? {
            repositories.first { $0.owner.caseInsensitiveCompare(owner) == .orderedSame && $0.name.caseInsensitiveCompare(name) == .orderedSame }
        }
        var userTokens: [UserTokenRecord] = []
        if !logins.isEmpty {
            try FileManager.default.createDirectory(at: layout.usersDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        for login in logins {
            let token = TokenGenerator.userToken()
            let file = layout.userTokenFile(login: login)
            guard FileManager.default.createFile(atPath: file.path, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
                throw ForgeError.io("cannot write \(file.path)")
            }
            userTokens.append(UserTokenRecord(login: login, sha256: TokenFingerprint.digest(token)))
        }
        let collaborators = roles.compactMap { role in
            record(role.repository.owner, role.repository.name).map { CollaboratorRecord(repositoryID: $0.id, login: role.login, role: role.role) }
        }
        if !issues.isEmpty {
            var activity = ForgeActivity()
            let now = GitHubTime.string(from: Date())
            for issue in issues {
                let (owner, name) = try GitHubNames.parseFullName(issue.repository, argument: "--issue")
                guard let repository = record(owner, name) else { continue }
                activity.issues.append(IssueRecord(
                    id: activity.lastIDs.next(\.issue), repositoryID: repository.id, number: activity.nextNumber(repositoryID: repository.id),
                    title: issue.title, body: issue.body, author: .user(login: issue.author), state: "open", createdAt: now, updatedAt: now,
                    isPullRequest: false))
            }
            try activity.save(to: layout)
        }
        return (collaborators, userTokens)
    }
}
