import HTTPTypes
import Hummingbird

/// The `documentation_url` GitHub puts in each endpoint's error bodies.
extension APIResponse.Docs {
    static let createIssue = "https://docs.github.com/rest/issues/issues#create-an-issue"
    static let getIssue = "https://docs.github.com/rest/issues/issues#get-an-issue"
    static let createIssueComment = "https://docs.github.com/rest/issues/comments#create-an-issue-comment"
    static let updateIssueComment = "https://docs.github.com/rest/issues/comments#update-an-issue-comment"
    static let getIssueComment = "https://docs.github.com/rest/issues/comments#get-an-issue-comment"
    static let listIssueComments = "https://docs.github.com/rest/issues/comments#list-issue-comments"
    static let createReviewComment = "https://docs.github.com/rest/pulls/comments#create-a-review-comment-for-a-pull-request"
    static let createReviewReply = "https://docs.github.com/rest/pulls/comments#create-a-reply-for-a-review-comment"
    static let getReviewComment = "https://docs.github.com/rest/pulls/comments#get-a-review-comment-for-a-pull-request"
    static let listReviewComments = "https://docs.github.com/rest/pulls/comments#list-review-comments-on-a-pull-request"
    static let issueCommentReactions = "https://docs.github.com/rest/reactions/reactions#create-reaction-for-an-issue-comment"
    static let reviewCommentReactions = "https://docs.github.com/rest/reactions/reactions#create-reaction-for-a-pull-request-review-comment"
    static let issueReactions = "https://docs.github.com/rest/reactions/reactions#create-reaction-for-an-issue"
    static let createPullRequest = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request"
    static let listPullRequests = "https://docs.github.com/rest/pulls/pulls#list-pull-requests"
    static let getPullRequest = "https://docs.github.com/rest/pulls/pulls#get-a-pull-request"
    static let compare = "https://docs.github.com/rest/commits/commits#compare-two-commits"
    static let getRef = "https://docs.github.com/rest/git/refs#get-a-reference"
    static let deleteRef = "https://docs.github.com/rest/git/refs#delete-a-reference"
    static let collaboratorPermission = "https://docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user"
    static let listDeliveries = "https://docs.github.com/rest/apps/webhooks#list-deliveries-for-an-app-webhook"
    static let getDelivery = "https://docs.github.com/rest/apps/webhooks#get-a-delivery-for-an-app-webhook"
    static let redeliver = "https://docs.github.com/rest/apps/webhooks#redeliver-a-delivery-for-an-app-webhook"
}

extension APIResponse {
    /// 422 `Validation Failed` with GitHub's `errors` list.
    static func validationFailed(_ errors: [JSONValue], documentationURL: String) -> Response {
        json(.unprocessableContent, [
            "message": "Validation Failed",
            "errors": .array(errors),
            "documentation_url": .string(documentationURL),
            "status": "422",
        ])
    }

    /// One entry of a `Validation Failed` body: `{resource, code, field?, message?}`.
    static func validationError(resource: String, code: String, field: String? = nil, message: String? = nil) -> JSONValue {
        var fields: [(String, JSONValue)] = [("resource", .string(resource)), ("code", .string(code))]
        if let field { fields.append(("field", .string(field))) }
        if let message { fields.append(("message", .string(message))) }
        return .object(fields)
    }

    /// 403 for an installation token whose permissions do not cover the call.
    static func notAccessibleByIntegration(documentationURL: String) -> Response {
        error(.forbidden, "Resource not accessible by integration", documentationURL: documentationURL)
    }
}
