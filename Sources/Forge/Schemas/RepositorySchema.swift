import Foundation

/// GitHub's `repository` / `full-repository` object: every field of the recorded
/// `installation-testGetRepos.json` plus the newer ones GitHub's schema requires.
enum RepositorySchema {
    /// What the caller may do, for the `permissions` object.
    struct Access: Sendable {
        var pull: Bool
        var push: Bool
    }

    /// `access` is the caller's (`permissions`); `nil` leaves the field out, as webhook payloads do.
    static func json(_ repository: RepositoryRecord, owner: AccountRecord, defaultBranch: String, sizeKB: Int,
                     pushedAt: String?, access: Access?, urls: ForgeURLs) -> JSONValue {
        let api = "\(urls.api)/repos/\(repository.fullName)"
        let host = URLComponents(string: urls.web)?.host ?? "localhost"
        let json: JSONValue = [
            "id": .int(repository.id),
            "node_id": .string(Data("010:Repository\(repository.id)".utf8).base64EncodedString()),
            "name": .string(repository.name),
            "full_name": .string(repository.fullName),
            "private": true,
            "owner": AccountSchema.json(owner, urls: urls),
            "html_url": .string("\(urls.web)/\(repository.fullName)"),
            "description": .optional(repository.description),
            "fork": .bool(repository.parentID != nil),
            "url": .string(api),
            "forks_url": .string("\(api)/forks"),
            "keys_url": .string("\(api)/keys{/key_id}"),
            "collaborators_url": .string("\(api)/collaborators{/collaborator}"),
            "teams_url": .string("\(api)/teams"),
            "hooks_url": .string("\(api)/hooks"),
            "issue_events_url": .string("\(api)/issues/events{/number}"),
            "events_url": .string("\(api)/events"),
            "assignees_url": .string("\(api)/assignees{/user}"),
            "branches_url": .string("\(api)/branches{/branch}"),
            "tags_url": .string("\(api)/tags"),
            "blobs_url": .string("\(api)/git/blobs{/sha}"),
            "git_tags_url": .string("\(api)/git/tags{/sha}"),
            "git_refs_url": .string("\(api)/git/refs{/sha}"),
            "trees_url": .string("\(api)/git/trees{/sha}"),
            "statuses_url": .string("\(api)/statuses/{sha}"),
            "languages_url": .string("\(api)/languages"),
            "stargazers_url": .string("\(api)/stargazers"),
            "contributors_url": .string("\(api)/contributors"),
            "subscribers_url": .string("\(api)/subscribers"),
            "subscription_url": .string("\(api)/subscription"),
            "commits_url": .string("\(api)/commits{/sha}"),
            "git_commits_url": .string("\(api)/git/commits{/sha}"),
            "comments_url": .string("\(api)/comments{/number}"),
            "issue_comment_url": .string("\(api)/issues/comments{/number}"),
            "contents_url": .string("\(api)/contents/{+path}"),
            "compare_url": .string("\(api)/compare/{base}...{head}"),
            "merges_url": .string("\(api)/merges"),
            "archive_url": .string("\(api)/{archive_format}{/ref}"),
            "downloads_url": .string("\(api)/downloads"),
            "issues_url": .string("\(api)/issues{/number}"),
            "pulls_url": .string("\(api)/pulls{/number}"),
            "milestones_url": .string("\(api)/milestones{/number}"),
            "notifications_url": .string("\(api)/notifications{?since,all,participating}"),
            "labels_url": .string("\(api)/labels{/name}"),
            "releases_url": .string("\(api)/releases{/id}"),
            "deployments_url": .string("\(api)/deployments"),
            "created_at": .string(repository.createdAt),
            "updated_at": .string(pushedAt ?? repository.createdAt),
            "pushed_at": .string(pushedAt ?? repository.createdAt),
            "git_url": .string("git://\(host)/\(repository.fullName).git"),
            "ssh_url": .string("git@\(host):\(repository.fullName).git"),
            "clone_url": .string("\(urls.web)/\(repository.fullName).git"),
            "svn_url": .string("\(urls.web)/\(repository.fullName)"),
            "homepage": nil,
            "size": .int(sizeKB),
            "stargazers_count": 0,
            "watchers_count": 0,
            "language": nil,
            "has_issues": true,
            "has_projects": false,
            "has_downloads": true,
            "has_wiki": false,
            "has_pages": false,
            "has_discussions": false,
            "forks_count": 0,
            "mirror_url": nil,
            "archived": false,
            "disabled": false,
            "open_issues_count": 0,
            "license": nil,
            "allow_forking": true,
            "is_template": false,
            "web_commit_signoff_required": false,
            "topics": [],
            "visibility": "private",
            "forks": 0,
            "open_issues": 0,
            "watchers": 0,
            "default_branch": .string(defaultBranch),
            "temp_clone_token": nil,
            "allow_squash_merge": true,
            "allow_merge_commit": true,
            "allow_rebase_merge": true,
            "allow_auto_merge": false,
            "delete_branch_on_merge": false,
            "allow_update_branch": false,
            "use_squash_pr_title_as_default": false,
            "squash_merge_commit_title": "COMMIT_OR_PR_TITLE",
            "squash_merge_commit_message": "COMMIT_MESSAGES",
            "merge_commit_title": "MERGE_MESSAGE",
            "merge_commit_message": "PR_TITLE",
            "subscribers_count": 0,
            "network_count": 0,
            "custom_properties": [:],
        ]
        guard let access, case .object(var fields) = json else { return json }
        let permissions: JSONValue = [
            "admin": false,
            "maintain": false,
            "push": .bool(access.push),
            "triage": false,
            "pull": .bool(access.pull),
        ]
        let index = fields.firstIndex { $0.0 == "default_branch" }.map { $0 + 1 } ?? fields.endIndex
        fields.insert(("permissions", permissions), at: index)
        return .object(fields)
    }
}
