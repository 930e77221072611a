import Foundation

/// GitHub's `pull-request-review-comment` object (as in `pull_request_review_comment` webhooks).
enum ReviewCommentSchema {
    static func json(_ comment: ReviewCommentRecord, repository: RepositoryRecord, in snapshot: ForgeSnapshot) -> JSONValue {
        let api = "\(snapshot.apiURL(repository))/pulls/comments/\(comment.id)"
        let html = "\(snapshot.webURL(repository))/pull/\(comment.pullNumber)#discussion_r\(comment.id)"
        let pullURL = "\(snapshot.apiURL(repository))/pulls/\(comment.pullNumber)"
        var fields: [(String, JSONValue)] = [
            ("url", .string(api)),
            ("pull_request_review_id", .int(comment.reviewID)),
            ("id", .int(comment.id)),
            ("node_id", NodeID.make("PullRequestReviewComment", comment.id)),
            ("diff_hunk", .string(comment.diffHunk)),
            ("path", .string(comment.path)),
            ("position", comment.line.map(JSONValue.int) ?? 1),
            ("original_position", comment.line.map(JSONValue.int) ?? 1),
            ("commit_id", .string(comment.commitID)),
            ("original_commit_id", .string(comment.commitID)),
        ]
        if let parent = comment.inReplyTo { fields.append(("in_reply_to_id", .int(parent))) }
        fields += [
            ("user", snapshot.account(comment.author)),
            ("body", .string(comment.body)),
            ("created_at", .string(comment.createdAt)),
            ("updated_at", .string(comment.updatedAt)),
            ("html_url", .string(html)),
            ("pull_request_url", .string(pullURL)),
            ("author_association", .string(snapshot.authorAssociation(comment.author, on: repository))),
            ("_links", [
                "self": ["href": .string(api)],
                "html": ["href": .string(html)],
                "pull_request": ["href": .string(pullURL)],
            ]),
            ("reactions", snapshot.reactionRollup(.reviewComment(id: comment.id), url: "\(api)/reactions")),
            ("start_line", nil),
            ("original_start_line", nil),
            ("start_side", nil),
            ("line", comment.line.map(JSONValue.int) ?? nil),
            ("original_line", comment.line.map(JSONValue.int) ?? nil),
            ("side", .string(comment.side)),
            ("subject_type", comment.line == nil ? "file" : "line"),
        ]
        return .object(fields)
    }
}
