import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Acting on a running forge as its users, and steering its webhook — what a bot's end-to-end
/// test needs: comment as `alice` (a collaborator `forge init --collaborator` declared), see the
/// delivery reach the control plane, redeliver it.
extension ForgeProcess {
    // MARK: Users

    /// `login`'s user token (`ghu_…`), read from the file `forge init` wrote.
    public func userToken(_ login: String) throws -> String {
        guard let path = userTokenPaths[login] else {
            throw ForgeProcessError("no user \(login) in this forge (declare it with Setup.users or Setup.collaborators)")
        }
        return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A REST call with `token` (user or installation); the status and the parsed JSON body.
    public func api(_ method: String, _ path: String, token: String, json body: [String: Any]? = nil) async throws -> ForgeAPIReply {
        var request = URLRequest(url: URL(string: baseURL.absoluteString + path)!)
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/vnd.github+json", forHTTPHeaderField: "Accept")
        request.setValue("2022-11-28", forHTTPHeaderField: "X-GitHub-Api-Version")
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ForgeAPIReply(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data)
    }

    /// `POST /repos/{repo}/issues` as `login`; the new issue's number.
    public func openIssue(_ repo: String, title: String, body: String? = nil, as login: String) async throws -> Int {
        var json: [String: Any] = ["title": title]
        if let body { json["body"] = body }
        return try await created("POST", "/repos/\(repo)/issues", json: json, as: login, key: "number")
    }

    /// `POST /repos/{repo}/issues/{number}/comments` as `login` (issues and pull requests); the comment id.
    public func comment(on repo: String, issue number: Int, body: String, as login: String) async throws -> Int {
        try await created("POST", "/repos/\(repo)/issues/\(number)/comments", json: ["body": body], as: login, key: "id")
    }

    /// `POST /repos/{repo}/pulls` as `login` (`head`: `branch` or `owner:branch` of a fork); the number.
    public func openPullRequest(_ repo: String, head: String, base: String = "main", title: String, body: String? = nil,
                                draft: Bool = false, as login: String) async throws -> Int {
        var json: [String: Any] = ["title": title, "head": head, "base": base, "draft": draft]
        if let body { json["body"] = body }
        return try await created("POST", "/repos/\(repo)/pulls", json: json, as: login, key: "number")
    }

    /// `POST /repos/{repo}/pulls/{number}/comments` as `login` on `path` (a file the pull request
    /// changes) at `line`; the review comment id.
    public func reviewComment(on repo: String, pull number: Int, path: String, line: Int? = nil, body: String,
                              as login: String) async throws -> Int {
        var json: [String: Any] = ["body": body, "path": path]
        if let line { json["line"] = line }
        return try await created("POST", "/repos/\(repo)/pulls/\(number)/comments", json: json, as: login, key: "id")
    }

    private func created(_ method: String, _ path: String, json: [String: Any], as login: String, key: String) async throws -> Int {
        let reply = try await api(method, path, token: try userToken(login), json: json)
        guard reply.status == 201, let value = reply.object?[key] as? Int else {
            throw ForgeProcessError("\(method) \(path) as \(login) → \(reply.status): \(reply.text)")
        }
        return value
    }

    // MARK: Webhook

    /// `PUT /_forge/webhook`: deliver the App's events to `url` from now on (signed with
    /// `secret`, unsigned without); the forge sends a `ping` there at once.
    public func setWebhook(url: String, secret: String?) async throws {
        var json: [String: Any] = ["url": url]
        if let secret { json["secret"] = secret }
        _ = try await control("PUT", "/_forge/webhook", body: try JSONSerialization.data(withJSONObject: json))
    }

    /// `DELETE /_forge/webhook`: no more deliveries.
    public func removeWebhook() async throws {
        _ = try await control("DELETE", "/_forge/webhook")
    }

    /// `GET /_forge/hook/deliveries?per_page=100`: the attempts so far, newest first (as
    /// `GET /app/hook/deliveries` lists them).
    public func webhookDeliveries() async throws -> [ForgeWebhookDelivery] {
        let (data, _) = try await control("GET", "/_forge/hook/deliveries?per_page=100")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode([ForgeWebhookDelivery].self, from: data)
    }

    /// Waits (generously) until at least `count` attempts are recorded and none is in flight.
    public func waitForDeliveries(count: Int, timeout: Duration = .seconds(60)) async throws -> [ForgeWebhookDelivery] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (data, _) = try await control("GET", "/_forge/webhook")
            let pending = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["pending"] as? Int ?? 0
            let deliveries = try await webhookDeliveries()
            if deliveries.count >= count && pending == 0 { return deliveries }
            guard ContinuousClock.now < deadline else {
                throw ForgeProcessError("\(deliveries.count) webhook deliveries (\(pending) in flight) after \(timeout), expected \(count)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// `POST /_forge/hook/deliveries/{id}/attempts`: send a delivery again (same GUID).
    public func redeliver(_ deliveryID: Int) async throws {
        _ = try await control("POST", "/_forge/hook/deliveries/\(deliveryID)/attempts")
    }

    /// `POST /_forge/installations/{id}/repositories`: change an installation's repositories;
    /// the forge delivers `installation_repositories` (`added` / `removed`).
    public func changeInstallationRepositories(_ installationID: Int, add: [String] = [], remove: [String] = []) async throws {
        let body = try JSONSerialization.data(withJSONObject: ["add": add, "remove": remove])
        _ = try await control("POST", "/_forge/installations/\(installationID)/repositories", body: body)
    }
}

/// A REST answer as `ForgeProcess.api` returns it.
public struct ForgeAPIReply: Sendable {
    public var status: Int
    public var body: Data

    public var text: String { String(decoding: body, as: UTF8.self) }
    /// The body as a JSON object, if it is one.
    public var object: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    /// The body as a JSON array, if it is one.
    public var array: [[String: Any]]? { (try? JSONSerialization.jsonObject(with: body)) as? [[String: Any]] }
}

/// One entry of `GET /app/hook/deliveries` (GitHub's `hook-delivery-item`).
public struct ForgeWebhookDelivery: Decodable, Sendable, Equatable {
    public var id: Int
    public var guid: String
    public var redelivery: Bool
    public var duration: Double
    public var status: String
    public var statusCode: Int
    public var event: String
    public var action: String?
    public var installationId: Int?
    public var repositoryId: Int?
}
