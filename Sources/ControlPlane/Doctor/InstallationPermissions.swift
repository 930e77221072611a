/// The repository permissions Netclode asks of an App installation, as the seed lists them
/// (contents, metadata, pull requests, issues), and which of them a given installation lacks.
///
/// Sessions need `contents: write` (clone with read, push with write; a read-only grant would
/// refuse every write session) and `metadata: read` (GitHub adds it to every token). The bot
/// needs `issues: write` (comments, reactions) and `pull_requests: write` (draft pull requests),
/// so those two count only when it is on.
struct InstallationPermissions: Sendable {
    struct Requirement: Sendable, Equatable {
        /// GitHub's key, e.g. `pull_requests`.
        var name: String
        /// The App settings page's words, e.g. `Pull requests`.
        var title: String
        var level: String
        var forBot: Bool
    }

    static let requirements = [
        Requirement(name: "contents", title: "Contents", level: "write", forBot: false),
        Requirement(name: "metadata", title: "Metadata", level: "read", forBot: false),
        Requirement(name: "pull_requests", title: "Pull requests", level: "write", forBot: true),
        Requirement(name: "issues", title: "Issues", level: "write", forBot: true),
    ]

    let granted: [String: String]
    let botEnabled: Bool

    /// `contents: write, metadata: read, pull_requests: none, issues: write`.
    var summary: String {
        Self.requirements.map { "\($0.name): \(granted[$0.name] ?? "none")" }.joined(separator: ", ")
    }

    /// What is required here (the bot's only when it is on) but not granted at that level.
    var missing: [Requirement] {
        Self.requirements.filter { requirement in
            (botEnabled || !requirement.forBot) && Self.rank(granted[requirement.name]) < Self.rank(requirement.level)
        }
    }

    /// `Contents: Read and write` / `Metadata: Read-only`, as GitHub's settings page words them.
    static func wording(_ requirement: Requirement) -> String {
        "\(requirement.title): \(requirement.level == "write" ? "Read and write" : "Read-only")"
    }

    static func rank(_ level: String?) -> Int {
        switch level {
        case "read": 1
        case "write": 2
        case "admin": 3
        default: 0
        }
    }
}
