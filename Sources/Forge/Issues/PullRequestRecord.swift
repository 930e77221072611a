/// What a pull request adds to its issue: where its commits come from and where they go.
///
/// The head may live in another repository (a fork, `headRepositoryID != repositoryID`); its
/// commits are then fetched into the base repository as `refs/pull/N/head`, as GitHub does.
struct PullRequestRecord: Codable, Sendable, Equatable {
    var id: Int
    var repositoryID: Int
    var number: Int
    var headRepositoryID: Int
    var headRef: String
    /// The head commit when the pull request was opened; the live branch wins while it exists.
    var headSHA: String
    var baseRef: String
    var draft: Bool
    var maintainerCanModify: Bool

    var isFromFork: Bool { headRepositoryID != repositoryID }
}
