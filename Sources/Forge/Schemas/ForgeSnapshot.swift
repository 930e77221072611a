import Foundation

/// One consistent view of the forge for rendering: the metadata and activity of one moment,
/// with the origin the client used (every URL in a body is built from it).
struct ForgeSnapshot: Sendable {
    let metadata: ForgeMetadata
    let activity: ForgeActivity
    let layout: ForgeLayout
    let urls: ForgeURLs

    /// `https://api…/repos/OWNER/NAME`.
    func apiURL(_ repository: RepositoryRecord) -> String { "\(urls.api)/repos/\(repository.fullName)" }
    /// `https://…/OWNER/NAME`.
    func webURL(_ repository: RepositoryRecord) -> String { "\(urls.web)/\(repository.fullName)" }

    /// The `simple-user` of an author: the account, or the App's bot user (type `Bot`).
    func account(_ author: Author) -> JSONValue {
        switch author {
        case .app:
            return AccountSchema.json(login: metadata.app.botLogin, id: metadata.app.botUserID, type: "Bot", urls: urls)
        case .user(let login):
            if let account = metadata.account(login: login) { return AccountSchema.json(account, urls: urls) }
            return AccountSchema.json(login: login, id: 0, type: "User", urls: urls)
        }
    }

    /// `performed_via_github_app`: the App for what it did, `null` for what a person did.
    func performedViaApp(_ author: Author) -> JSONValue {
        author.isApp ? AppSchema.json(metadata, urls: urls) : .null
    }

    /// `author_association`: `OWNER` for the repository's owner, `COLLABORATOR` for anyone with
    /// a role on it, `NONE` otherwise (the App's bot included).
    func authorAssociation(_ author: Author, on repository: RepositoryRecord) -> String {
        guard case .user(let login) = author else { return "NONE" }
        if repository.owner.caseInsensitiveCompare(login) == .orderedSame { return "OWNER" }
        return metadata.role(of: login, on: repository) == nil ? "NONE" : "COLLABORATOR"
    }

    /// The repository object of payloads and pull request branches (no caller `permissions`).
    func repository(_ repository: RepositoryRecord) -> JSONValue {
        guard let owner = metadata.account(login: repository.owner) else { return .null }
        let bare = layout.bareRepository(owner: repository.owner, name: repository.name)
        return RepositorySchema.json(repository, owner: owner, defaultBranch: BareRepositoryInfo.defaultBranch(of: bare),
                                     sizeKB: BareRepositoryInfo.sizeInKilobytes(of: bare), pushedAt: nil, access: nil, urls: urls)
    }

    /// `reactions`: the roll-up GitHub embeds in issues and comments.
    func reactionRollup(_ subject: ReactionRecord.Subject, url: String) -> JSONValue {
        let reactions = activity.reactions(to: subject)
        var fields: [(String, JSONValue)] = [("url", .string(url)), ("total_count", .int(reactions.count))]
        for content in ReactionRecord.contents {
            fields.append((content, .int(reactions.filter { $0.content == content }.count)))
        }
        return .object(fields)
    }
}
