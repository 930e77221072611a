import Foundation

/// GitHub's `issue-comment` object (`issue_comment` webhooks carry the same).
enum IssueCommentSchema {
    static func json(_ comment: IssueCommentRecord, repository: RepositoryRecord, in snapshot: ForgeSnapshot) -> JSONValue {
        let api = "\(snapshot.apiURL(repository))/issues/comments/\(comment.id)"
        let issueHTML = snapshot.activity.issue(repositoryID: repository.id, number: comment.issueNumber)
            .map { IssueSchema.htmlURL($0, repository: repository, in: snapshot) }
            ?? "\(snapshot.webURL(repository))/issues/\(comment.issueNumber)"
        return [
            "url": .string(api),
            "html_url": .string("\(issueHTML)#issuecomment-\(comment.id)"),
            "issue_url": .string("\(snapshot.apiURL(repository))/issues/\(comment.issueNumber)"),
            "id": .int(comment.id),
            "node_id": NodeID.make("IssueComment", comment.id),
            "user": snapshot.account(comment.author),
            "created_at": .string(comment.createdAt),
            "updated_at": .string(comment.updatedAt),
            "author_association": .string(snapshot.authorAssociation(comment.author, on: repository)),
            "body": .string(comment.body),
            "reactions": snapshot.reactionRollup(.issueComment(id: comment.id), url: "\(api)/reactions"),
            "performed_via_github_app": snapshot.performedViaApp(comment.author),
        ]
    }
}
