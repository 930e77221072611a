import AsyncHTTPClient
import ControlPlane
import Foundation
import GitHubApp
import GitHubBot
import Logging
import NIOCore
import NIOHTTP1

/// The GitHub bot in `netclode dev`: mounted with the secret kept in `dev.json`, and the forge's
/// webhook pointed at it once the control plane listens, so a comment on the demo issue reaches
/// the bot exactly as a GitHub delivery would.
enum DevBot {
    /// The demo forge's writer (`forge init`'s demo seed), who may ask the bot for work.
    static let user = "octocat"
    /// The demo seed's open issue.
    static let issue = (repository: "netclode-demo/hello", number: 1)

    static func mount(on server: ControlPlaneServer, secret: String, environment: EnvironmentSettings, logger: Logger) throws -> ControlPlaneServer {
        try GitHubBot.mount(on: server, environment: environment.adding(["GITHUB_WEBHOOK_SECRET": secret]), logger: logger)
    }

    /// `PUT /_forge/webhook` on the forge: deliveries to `controlPlane/webhooks/github`, signed with `secret`.
    static func pointForge(at controlPlane: URL, forgeURL: String, secret: String) async throws {
        var request = HTTPClientRequest(url: forgeURL + "/_forge/webhook")
        request.method = .PUT
        request.headers.add(name: "Content-Type", value: "application/json")
        let body = try JSONSerialization.data(withJSONObject: ["url": controlPlane.absoluteString + "/webhooks/github", "secret": secret])
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        guard (200..<300).contains(Int(response.status.code)) else {
            throw DevFailure("the forge refused its webhook setting (HTTP \(response.status.code))")
        }
    }
}
