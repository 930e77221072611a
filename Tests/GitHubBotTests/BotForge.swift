import Foundation
import Testing
import TestSupport

/// A forge with a writer (`alice`), a reader (`bob`) and an open issue, a control plane with the
/// bot on and a scripted agent, and the forge's webhook pointed at the control plane.
struct BotForge {
    static let secret = "bot-e2e-webhook-secret-0123456789"
    static let repository = "demo/hello"

    let forge: ForgeProcess
    var server: ControlPlaneProcess

    /// The agent: writes the prompt's first line to GREETING.md and commits it, after `delay` seconds.
    static func agentCommand(delay: Int = 0) -> String {
        let script = "sleep \(delay); printf '%s\\n' \"$1\" | head -n 1 > GREETING.md && git add GREETING.md && git commit -qm 'Add a greeting'"
        let json = try! JSONSerialization.data(withJSONObject: ["sh", "-c", script, "agent", "{prompt}"])
        return String(decoding: json, as: UTF8.self)
    }

    static func with(delay: Int = 0, extra: [String: String] = [:], _ body: (inout BotForge) async throws -> Void) async throws {
        let setup = ForgeProcess.Setup(repos: [repository], collaborators: ["\(repository):alice:write", "\(repository):bob:read"],
                                       issues: ["\(repository):alice:Add a greeting for Netclode"])
        try await ForgeProcess.with(setup) { forge in
            var environment = ControlPlaneProcess.githubEnvironment(for: forge)
            environment["GITHUB_WEBHOOK_SECRET"] = secret
            environment["NETCLODE_CREDENTIAL_MODE"] = "proxy"
            environment["NETCLODE_AGENT_COMMAND"] = agentCommand(delay: delay)
            environment.merge(extra) { $1 }
            let server = try await ControlPlaneProcess.start(environment: environment)
            try await forge.setWebhook(url: server.baseURL.absoluteString + "/webhooks/github", secret: secret)
            var fixture = BotForge(forge: forge, server: server)
            do {
                try await body(&fixture)
                await fixture.server.stop()
                await fixture.server.remove()
            } catch {
                await fixture.server.remove()
                throw error
            }
        }
    }

    func comment(_ body: String, as login: String = "alice", issue: Int = 1) async throws -> Int {
        try await forge.comment(on: Self.repository, issue: issue, body: body, as: login)
    }

    /// The comments of the issue, as alice reads them.
    func comments(issue: Int = 1) async throws -> [[String: Any]] {
        let reply = try await forge.api("GET", "/repos/\(Self.repository)/issues/\(issue)/comments?per_page=100", token: try forge.userToken("alice"))
        return reply.array ?? []
    }

    /// The bot's comments (by `<slug>[bot]`).
    func botComments(issue: Int = 1) async throws -> [[String: Any]] {
        try await comments(issue: issue).filter { (($0["user"] as? [String: Any])?["login"] as? String)?.hasSuffix("[bot]") == true }
    }

    /// Waits until some bot comment's body satisfies `condition`; returns that body.
    func waitForBotComment(timeout: Duration = .seconds(240), issue: Int = 1, _ condition: (String) -> Bool) async throws -> String {
        try await waitForBotComments(count: 1, timeout: timeout, issue: issue, condition)[0]
    }

    /// Waits until `count` bot comments satisfy `condition`; returns their bodies, oldest first.
    func waitForBotComments(count: Int, timeout: Duration = .seconds(240), issue: Int = 1, _ condition: (String) -> Bool) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        var matching: [String] = []
        while ContinuousClock.now < deadline {
            matching = try await botComments(issue: issue).compactMap { $0["body"] as? String }.filter(condition)
            if matching.count >= count { return matching }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("\(matching.count) of \(count) bot comments matched within \(timeout); control plane log tail: \(server.allLogs().suffix(3000))")
        throw CancellationError()
    }

    /// The reactions on an issue comment.
    func reactions(onComment id: Int) async throws -> [String] {
        let reply = try await forge.api("GET", "/repos/\(Self.repository)/issues/comments/\(id)/reactions", token: try forge.userToken("alice"))
        return (reply.array ?? []).compactMap { $0["content"] as? String }
    }

    /// Waits until every token the forge minted has been revoked.
    func waitForAllRevoked(timeout: Duration = .seconds(120)) async throws -> ForgeStatsSnapshot {
        let deadline = ContinuousClock.now + timeout
        var stats = try await forge.stats()
        while stats.revocations < stats.mints, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(250))
            stats = try await forge.stats()
        }
        return stats
    }
}
