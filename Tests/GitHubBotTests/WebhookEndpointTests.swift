import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import TestSupport

/// `POST /webhooks/github` on a real `netclode serve`, with the forge as GitHub.
@Suite("the webhook endpoint", .serialized)
struct WebhookEndpointTests {
    static let secret = "webhook-secret-for-tests-0123456789"

    func readyz(_ server: ControlPlaneProcess) async throws -> [String: Any] {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: server.baseURL.absoluteString + "/readyz"), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
    }

    @Test("without GITHUB_WEBHOOK_SECRET the endpoint does not exist and /readyz says the bot is off")
    func offWithoutSecret() async throws {
        try await ForgeProcess.with { forge in
            let server = try await ControlPlaneProcess.start(environment: ControlPlaneProcess.githubEnvironment(for: forge))
            defer { Task { await server.remove() } }
            let ping = WebhookDelivery(event: "ping", body: try WebhookFixture("ping.with-app_id").body, secret: Self.secret)
            #expect(try await ping.send(to: server.baseURL).status == 404)
            #expect(try await readyz(server)["githubBot"] as? String == "off: GITHUB_WEBHOOK_SECRET is not set")
            await server.stop()
        }
    }

    @Test("a short secret, or a secret without the App, stops the server with the reason")
    func badSettings() async throws {
        try await ForgeProcess.with { forge in
            var environment = ControlPlaneProcess.githubEnvironment(for: forge)
            environment["GITHUB_WEBHOOK_SECRET"] = "short"
            await #expect(throws: (any Error).self) { _ = try await ControlPlaneProcess.start(environment: environment) }
            await #expect(throws: (any Error).self) {
                _ = try await ControlPlaneProcess.start(environment: ["GITHUB_WEBHOOK_SECRET": Self.secret])
            }
        }
    }

    @Test("signatures, sizes, content types and headers are checked before anything happens; ping and installation events are answered")
    func refusals() async throws {
        try await ForgeProcess.with { forge in
            var environment = ControlPlaneProcess.githubEnvironment(for: forge)
            environment["GITHUB_WEBHOOK_SECRET"] = Self.secret
            let server = try await ControlPlaneProcess.start(environment: environment)
            defer { Task { await server.remove() } }
            #expect((try await readyz(server)["githubBot"] as? String)?.hasPrefix("on") == true)
            let body = try WebhookFixture("ping.with-app_id").body
            let url = server.baseURL

            var unsigned = WebhookDelivery(event: "ping", body: body)
            #expect(try await unsigned.send(to: url).status == 401)
            unsigned.secret = "not-the-secret-0123456789"
            #expect(try await unsigned.send(to: url).status == 401)
            var sha1 = WebhookDelivery(event: "ping", body: body, secret: Self.secret)
            sha1.sha1Only = true
            let sha1Answer = try await sha1.send(to: url)
            #expect(sha1Answer.status == 401 && sha1Answer.message.contains("SHA-1"))

            var form = WebhookDelivery(event: "ping", body: body, secret: Self.secret)
            form.contentType = "application/x-www-form-urlencoded"
            #expect(try await form.send(to: url).status == 415)
            #expect(try await WebhookDelivery(event: "", body: body, secret: Self.secret).send(to: url).status == 400)
            #expect(try await WebhookDelivery(event: "ping", body: Data("{not json".utf8), secret: Self.secret).send(to: url).status == 400)

            let oversized = WebhookDelivery(event: "ping", body: Data(count: (25 << 20) + 1), secret: Self.secret)
            #expect(try await oversized.send(to: url).status == 413)

            let ping = try await WebhookDelivery(event: "ping", body: body, secret: Self.secret).send(to: url)
            #expect(ping.status == 200 && ping.message.contains("ping"))
            let installation = try await WebhookDelivery(event: "installation", body: try WebhookFixture("installation.created").body, secret: Self.secret).send(to: url)
            #expect(installation.status == 200 && installation.message.contains("codertocat"))
            #expect(server.allLogs().contains(Self.secret) == false, "the secret is never logged")
            await server.stop()
        }
    }
}
