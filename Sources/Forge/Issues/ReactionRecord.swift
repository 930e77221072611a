/// An emoji reaction; one per (subject, author, content), as GitHub answers 200 with the
/// existing reaction when the same actor reacts the same way twice.
struct ReactionRecord: Codable, Sendable, Equatable {
    enum Subject: Codable, Sendable, Equatable {
        case issue(repositoryID: Int, number: Int)
        case issueComment(id: Int)
        case reviewComment(id: Int)
    }

    /// GitHub's eight reaction contents, in the order its `reactions` roll-up lists them.
    static let contents = ["+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes"]

    var id: Int
    var subject: Subject
    var content: String
    var author: Author
    var createdAt: String
}
