/// A comment in an issue's (or a pull request's) conversation. Its id is from the issue-comment
/// sequence, apart from review comments' (GitHub's two namespaces).
struct IssueCommentRecord: Codable, Sendable, Equatable {
    var id: Int
    var repositoryID: Int
    var issueNumber: Int
    var body: String
    var author: Author
    var createdAt: String
    var updatedAt: String
}
