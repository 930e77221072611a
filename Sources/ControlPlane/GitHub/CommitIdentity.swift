import GitHubApp
import Logging

/// Who commits in the sandboxes: the App's bot account, as GitHub shows App commits
/// (`<slug>[bot]`, `<id>+<slug>[bot]@users.noreply.github.com`), unless a session names a person.
///
/// The bot account is looked up from GitHub once (`GET /app`, then `GET /users/<slug>[bot]`) and
/// kept for the life of the process; a failed lookup is not kept, so the next agent to attach
/// tries again, and meanwhile commits carry a neutral author rather than a wrong one.
actor CommitIdentity {
    /// For a control plane without App settings (its sessions have no repositories to push to),
    /// or while GitHub cannot be asked.
    static let fallback = GitAuthor(name: "netclode", email: "netclode@localhost")

    private let github: GitHubAccess
    private var bot: GitAuthor?
    private var lookup: Task<GitAuthor, any Error>?

    init(github: GitHubAccess) {
        self.github = github
    }

    /// The author for a session: its own `gitAuthor`, else the App's bot account.
    func author(sessionAuthor: String?, logger: Logger) async -> GitAuthor {
        if let sessionAuthor, let author = GitAuthor(parsing: sessionAuthor) { return author }
        if let bot { return bot }
        guard let broker = github.broker else { return Self.fallback }
        // Concurrent attaches share one lookup.
        let task = lookup ?? Task { try await broker.client.botAuthor() }
        lookup = task
        do {
            let author = try await task.value
            bot = author
            return author
        } catch {
            lookup = nil
            logger.warning("could not look up the App's bot account; commits use \(Self.fallback) until it works: \(error)")
            return Self.fallback
        }
    }
}
