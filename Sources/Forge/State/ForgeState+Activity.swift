import Foundation
import Logging

/// Changes to the forge's activity. Each one checks what it depends on, writes
/// `activity.json`, and only then becomes visible, so a failed write leaves nothing half-made.
/// All are synchronous on the actor: numbers and ids are handed out without a suspension point
/// in between (git work happens before, outside the actor).
extension ForgeState {
    enum ActivityFailure: Error {
        case issueNotFound
        case commentNotFound
        case persistence(String)
        /// An open pull request with the same head and base exists (GitHub's 422).
        case duplicatePullRequest(PullRequestRecord)
    }

    /// What every schema renders from: this moment's metadata and activity.
    func snapshot(urls: ForgeURLs) -> ForgeSnapshot {
        ForgeSnapshot(metadata: metadata, activity: activity, layout: layout, urls: urls)
    }

    func openIssue(repositoryID: Int, title: String, body: String?, author: Author) throws(ActivityFailure) -> IssueRecord {
        var updated = activity
        let now = GitHubTime.string(from: Date())
        let issue = IssueRecord(id: updated.lastIDs.next(\.issue), repositoryID: repositoryID,
                                number: updated.nextNumber(repositoryID: repositoryID), title: title, body: body,
                                author: author, state: "open", createdAt: now, updatedAt: now, isPullRequest: false)
        updated.issues.append(issue)
        try commit(updated)
        return issue
    }

    func addIssueComment(repositoryID: Int, issueNumber: Int, body: String, author: Author) throws(ActivityFailure) -> IssueCommentRecord {
        var updated = activity
        guard let index = updated.issues.firstIndex(where: { $0.repositoryID == repositoryID && $0.number == issueNumber }) else {
            throw .issueNotFound
        }
        let now = GitHubTime.string(from: Date())
        let comment = IssueCommentRecord(id: updated.lastIDs.next(\.issueComment), repositoryID: repositoryID,
                                         issueNumber: issueNumber, body: body, author: author, createdAt: now, updatedAt: now)
        updated.issueComments.append(comment)
        updated.issues[index].updatedAt = now
        try commit(updated)
        return comment
    }

    /// Replaces a comment's body; returns the comment before and after.
    func editIssueComment(id: Int, repositoryID: Int, body: String) throws(ActivityFailure) -> (before: IssueCommentRecord, after: IssueCommentRecord) {
        var updated = activity
        guard let index = updated.issueComments.firstIndex(where: { $0.id == id && $0.repositoryID == repositoryID }) else {
            throw .commentNotFound
        }
        let before = updated.issueComments[index]
        updated.issueComments[index].body = body
        updated.issueComments[index].updatedAt = GitHubTime.string(from: Date())
        try commit(updated)
        return (before, updated.issueComments[index])
    }

    /// A review comment, or with `inReplyTo` a reply that takes its thread's position.
    func addReviewComment(_ draft: ReviewCommentRecord) throws(ActivityFailure) -> ReviewCommentRecord {
        var updated = activity
        guard updated.pullRequest(repositoryID: draft.repositoryID, number: draft.pullNumber) != nil else { throw .issueNotFound }
        var comment = draft
        let now = GitHubTime.string(from: Date())
        comment.id = updated.lastIDs.next(\.reviewComment)
        comment.reviewID = updated.lastIDs.next(\.review)
        comment.createdAt = now
        comment.updatedAt = now
        updated.reviewComments.append(comment)
        try commit(updated)
        return comment
    }

    /// Adds a reaction unless this author already reacted so; `created` tells which (201 or 200).
    func react(to subject: ReactionRecord.Subject, content: String, author: Author) throws(ActivityFailure) -> (reaction: ReactionRecord, created: Bool) {
        if let existing = activity.reactions.first(where: { $0.subject == subject && $0.content == content && $0.author == author }) {
            return (existing, false)
        }
        var updated = activity
        let reaction = ReactionRecord(id: updated.lastIDs.next(\.reaction), subject: subject, content: content, author: author,
                                      createdAt: GitHubTime.string(from: Date()))
        updated.reactions.append(reaction)
        try commit(updated)
        return (reaction, true)
    }

    /// Opens a pull request (its issue and its record under one number) unless an open one
    /// already has this head and base.
    func openPullRequest(repositoryID: Int, title: String, body: String?, author: Author, headRepositoryID: Int, headRef: String,
                         headSHA: String, baseRef: String, draft: Bool, maintainerCanModify: Bool) throws(ActivityFailure) -> PullRequestRecord {
        if let existing = activity.openPullRequest(repositoryID: repositoryID, headRepositoryID: headRepositoryID, headRef: headRef,
                                                   baseRef: baseRef) {
            throw .duplicatePullRequest(existing)
        }
        var updated = activity
        let now = GitHubTime.string(from: Date())
        let number = updated.nextNumber(repositoryID: repositoryID)
        updated.issues.append(IssueRecord(id: updated.lastIDs.next(\.issue), repositoryID: repositoryID, number: number, title: title,
                                          body: body, author: author, state: "open", createdAt: now, updatedAt: now, isPullRequest: true))
        let pull = PullRequestRecord(id: updated.lastIDs.next(\.pullRequest), repositoryID: repositoryID, number: number,
                                     headRepositoryID: headRepositoryID, headRef: headRef, headSHA: headSHA, baseRef: baseRef,
                                     draft: draft, maintainerCanModify: maintainerCanModify)
        updated.pullRequests.append(pull)
        try commit(updated)
        return pull
    }

    private func commit(_ updated: ForgeActivity) throws(ActivityFailure) {
        do {
            try updated.save(to: layout)
        } catch {
            logger.error("cannot write activity", metadata: ["file": "\(layout.activityFile.path)", "error": "\(error)"])
            throw .persistence("\(error)")
        }
        activity = updated
    }
}
