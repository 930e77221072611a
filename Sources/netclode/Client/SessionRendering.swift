import Foundation
import NetclodeClient
import NetclodeProto
import SwiftProtobuf

/// Human renderings of sessions: the `list` table and the `get` details.
enum SessionRendering {
    /// Up to this many characters of repo names are listed; more becomes a count.
    static let repoNamesWidth = 40

    static func table(_ sessions: [Netclode_V1_Session], now: Date = Date()) -> String {
        let rows = sessions.map { session in
            [
                session.id,
                session.name,
                session.status,
                session.repoAccess.isEmpty ? "-" : session.repoAccess,
                repoSummary(session.repos),
                session.hasCreatedAt ? Formatting.age(of: session.createdAt.date, now: now) : "-",
            ]
        }
        return Formatting.table(header: ["ID", "NAME", "STATUS", "ACCESS", "REPOS", "AGE"], rows: rows)
    }

    /// `-`, `owner/a,owner/b`, or `5 repos` when the names would not fit.
    static func repoSummary(_ repos: [String]) -> String {
        guard !repos.isEmpty else { return "-" }
        let names = repos.map(Formatting.repoName).joined(separator: ",")
        return names.count <= repoNamesWidth ? names : "\(repos.count) repos"
    }

    /// Every field, one per line, then each repository with its last clone stage.
    static func details(_ session: Netclode_V1_Session, now: Date = Date()) -> String {
        var lines = [
            "ID:       \(session.id)",
            "Name:     \(session.name)",
            "Status:   \(session.status)",
            "Access:   \(session.repoAccess.isEmpty ? "-" : session.repoAccess)",
            "Created:  \(Formatting.timestamp(session.createdAt, present: session.hasCreatedAt, now: now))",
            "Updated:  \(Formatting.timestamp(session.updatedAt, present: session.hasUpdatedAt, now: now))",
        ]
        if !session.error.isEmpty { lines.append("Error:    \(session.error)") }
        switch session.credentialMode {
        case "proxy": lines.append("Git:      through the control plane's git proxy; no token in the sandbox")
        case "token": lines.append("Git:      the installation token is in the sandbox (credential mode token)")
        default: break
        }
        if session.hasPushPolicy { lines.append("Push:     \(session.pushPolicy.summary)") }
        if session.repos.isEmpty {
            lines.append("Repos:    -")
        } else {
            lines.append("Repos:")
            let statuses = Dictionary(session.repoStatus.map { ($0.repo, $0) }, uniquingKeysWith: { _, last in last })
            let urlWidth = session.repos.map(\.count).max() ?? 0
            for repo in session.repos {
                let status = statuses[repo]
                let stage = status?.stage ?? "pending"
                let message = status.map { $0.message.isEmpty ? "" : "  \($0.message)" } ?? ""
                lines.append("  \(mark(stage)) \(Formatting.pad(repo, urlWidth))  \(Formatting.pad(stage, 8))\(message)")
            }
            // Statuses for repos the session no longer lists (none today, but shown rather than lost).
            for status in session.repoStatus where !session.repos.contains(status.repo) {
                lines.append("  \(mark(status.stage)) \(Formatting.pad(status.repo, urlWidth))  \(Formatting.pad(status.stage, 8))  \(status.message)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// `✓` done, `✗` error, `…` anything else.
    static func mark(_ stage: String) -> String {
        switch stage {
        case "done": "✓"
        case "error": "✗"
        default: "…"
        }
    }
}
