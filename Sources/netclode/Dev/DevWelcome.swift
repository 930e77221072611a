import Forge
import Foundation

/// What `netclode dev` prints once everything listens: the ready line tests and scripts wait for
/// (the same one `netclode serve` prints), then a short welcome for the person at the terminal.
struct DevWelcome {
    let devFile: DevFile
    let layout: DevLayout
    let contextFile: URL
    let resumedSessions: Int
    /// A one-time link that signs a browser in to the web UI (see `BrowserSignIn`).
    let signInLink: String
    /// ``ControlPlaneSettings/readyWarnings``: printed right after the ready line.
    var warnings: [String] = []

    var text: String {
        var lines = [
            "Netclode control plane listening on \(devFile.controlPlaneURL)",
        ] + warnings + [
            "",
            "Netclode dev is ready: everything runs in this process, on loopback.",
            "  control plane  \(devFile.controlPlaneURL)",
            "  web UI         \(signInLink)",
            "                 (a one-time sign-in link; later, open \(devFile.controlPlaneURL)/ and sign in with the API token)",
            "  forge          \(devFile.forgeURL)   (a local GitHub: App \(devFile.appId))",
        ]
        for installation in devFile.installations {
            lines.append("    installation \(installation.id) on \(installation.account): \(installation.repos.joined(separator: ", "))")
        }
        lines += [
            "  data           \(layout.root.path)  (settings and API token in \(layout.devFile.lastPathComponent))",
            "  client context \(contextFile.path)  (other terminals' netclode commands use it)",
        ]
        if resumedSessions > 0 {
            lines.append("  resumed        \(resumedSessions) session\(resumedSessions == 1 ? "" : "s") from the last run")
        }
        lines += [
            "",
            "Try, in another terminal (with `netclode` on your PATH):",
            "  netclode session create --name tour --repo netclode-demo/hello --repo netclode-demo/widgets --access write --watch",
            "  netclode session list",
            "  netclode repos",
            "",
        ]
        if let user = devFile.botTryUser, let tokenFile = devFile.botTryTokenFile {
            let issue = DevBot.issue
            lines += [
                "",
                "Try the GitHub bot: comment on the demo issue as \(user) (the agent is NETCLODE_AGENT_COMMAND's):",
                "  curl -s -X POST -H \"Authorization: token $(cat \(tokenFile))\" \\",
                "    -d '{\"body\": \"@\(ForgeInitializer.appSlug) please add a greeting\"}' \\",
                "    \(devFile.forgeURL)/repos/\(issue.repository)/issues/\(issue.number)/comments",
                "  curl -s \(devFile.forgeURL)/repos/\(issue.repository)/issues/\(issue.number)/comments -H \"Authorization: token $(cat \(tokenFile))\"",
            ]
        }
        lines += [
            "",
            "Ctrl-C stops everything; the next start picks up where this one left off.",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    func print() {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
