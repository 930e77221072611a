import Foundation

/// The one comment a run writes and then edits in place: working, queued, and the end.
///
/// Nothing in it can trigger the bot again: it never repeats the request, and the agent's output
/// goes in a code block with every `@` defused. Bodies stay under GitHub's 65,536-character cap.
struct StatusComment {
    static let maximumCharacters = 65_536
    static let outputBudget = 50_000

    let deliveryID: String

    private var marker: String { "<!-- netclode-bot delivery:\(deliveryID) -->" }

    func working(session: String?, requester: String) -> String {
        let where_ = session.map { " in session `\($0)`" } ?? ""
        return "\(marker)\n👀 Working on it\(where_)… (asked by @\(requester))"
    }

    func queued(reason: String) -> String {
        "\(marker)\n⏳ Queued: \(reason)."
    }

    func refused(_ reason: String) -> String {
        "\(marker)\n🚫 \(reason)"
    }

    struct Final {
        var succeeded: Bool
        var summary: String
        var duration: Duration
        var session: String?
        var branch: String?
        var pullRequestURL: String?
        var output: String
    }

    func final(_ result: Final) -> String {
        var lines = [marker]
        let seconds = result.duration.components.seconds
        let took = seconds >= 60 ? "\(seconds / 60)m \(seconds % 60)s" : "\(seconds)s"
        lines.append("\(result.succeeded ? "✅" : "❌") **Netclode \(result.succeeded ? "finished" : "stopped")** in \(took): \(Self.defused(result.summary))")
        var facts: [String] = []
        if let branch = result.branch { facts.append("Branch: `\(branch)`") }
        if let url = result.pullRequestURL { facts.append("Pull request: \(url)") }
        if let session = result.session { facts.append("Session: `\(session)`") }
        if !facts.isEmpty { lines.append(facts.joined(separator: " · ")) }
        var output = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        if !output.isEmpty {
            var note = ""
            if output.count > Self.outputBudget {
                output = String(output.suffix(Self.outputBudget))
                note = "\n(earlier output cut: the full output is in the session's history)"
            }
            lines.append("<details><summary>Agent output</summary>\n\n```text\n\(Self.defused(output).replacingOccurrences(of: "```", with: "`\u{200B}``"))\n```\(note)\n</details>")
        }
        let body = lines.joined(separator: "\n")
        return body.count <= Self.maximumCharacters ? body : String(body.prefix(Self.maximumCharacters - 40)) + "\n…(cut to fit GitHub's limit)"
    }

    /// `@` followed by a word joiner: GitHub does not notify, and the bot's parser sees no handle.
    static func defused(_ text: String) -> String {
        text.replacingOccurrences(of: "@", with: "@\u{2060}")
    }
}
