import AsyncHTTPClient
import Foundation
import GitHubBot
import NIOCore
import NIOHTTP1

/// A webhook delivery as GitHub sends one: the body, GitHub's headers, signed with `secret`.
struct WebhookDelivery {
    var event: String
    var body: Data
    var id = UUID().uuidString.lowercased()
    var secret: String?
    var sha1Only = false
    var contentType = "application/json"

    struct Answer {
        let status: Int
        let message: String
    }

    func send(to baseURL: URL) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL.absoluteString + "/webhooks/github")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.headers.add(name: "X-GitHub-Event", value: event)
        request.headers.add(name: "X-GitHub-Delivery", value: id)
        request.headers.add(name: "X-GitHub-Hook-ID", value: "4242")
        request.headers.add(name: "User-Agent", value: "GitHub-Hookshot/test")
        if let secret {
            if sha1Only {
                request.headers.add(name: "X-Hub-Signature", value: "sha1=" + String(repeating: "ab", count: 20))
            } else {
                request.headers.add(name: "X-Hub-Signature-256", value: WebhookSignature.header(for: body, secret: secret))
            }
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json = try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any]
        return Answer(status: Int(response.status.code), message: json?["message"] as? String ?? String(buffer: bytes))
    }
}
