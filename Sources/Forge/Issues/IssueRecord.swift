/// An issue, or the issue half of a pull request: GitHub numbers both from one sequence per
/// repository, and a pull request's title, body, author and comments live on its issue.
struct IssueRecord: Codable, Sendable, Equatable {
    var id: Int
    var repositoryID: Int
    var number: Int
    var title: String
    var body: String?
    var author: Author
    var state: String
    var createdAt: String
    var updatedAt: String
    /// Set when a pull request (`PullRequestRecord` with the same number) owns this issue.
    var isPullRequest: Bool
}
