/// A comment on a line of a pull request's diff, or a reply in its thread (`inReplyTo`: the
/// thread's top-level comment). Ids come from their own sequence, never an issue comment's.
struct ReviewCommentRecord: Codable, Sendable, Equatable {
    var id: Int
    var repositoryID: Int
    var pullNumber: Int
    /// GitHub wraps every single review comment in a review of its own.
    var reviewID: Int
    var inReplyTo: Int?
    var body: String
    var path: String
    var line: Int?
    var side: String
    var commitID: String
    var diffHunk: String
    var author: Author
    var createdAt: String
    var updatedAt: String
}
