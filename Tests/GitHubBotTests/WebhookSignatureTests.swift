import Foundation
@testable import GitHubBot
import Testing

@Suite("webhook signatures: X-Hub-Signature-256 only, any configured secret")
struct WebhookSignatureTests {
    @Test("GitHub's documented test vector")
    func testVector() {
        let body = Array("Hello, World!".utf8)
        let header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        #expect(WebhookSignature.header(for: body, secret: "It's a Secret to Everybody") == header)
        #expect(WebhookSignature(secrets: ["It's a Secret to Everybody"]).isValid(header, body: body))
    }

    @Test("wrong, truncated, SHA-1, missing and other-secret signatures fail; the previous secret works during a rotation")
    func failures() {
        let body = Array(#"{"zen":"Keep it logically awesome."}"#.utf8)
        let good = WebhookSignature.header(for: body, secret: "current-secret-0123456789")
        let check = WebhookSignature(secrets: ["current-secret-0123456789"])
        #expect(check.isValid(good, body: body))
        #expect(!check.isValid(nil, body: body))
        #expect(!check.isValid(String(good.dropLast()), body: body))
        #expect(!check.isValid(good.replacingOccurrences(of: "sha256=", with: "sha1="), body: body))
        #expect(!check.isValid("sha1=" + String(repeating: "0", count: 40), body: body))
        #expect(!check.isValid(good, body: body + [0x20]))
        #expect(!check.isValid(WebhookSignature.header(for: body, secret: "someone-else-0123456789"), body: body))
        #expect(!WebhookSignature(secrets: [""]).isValid(WebhookSignature.header(for: body, secret: ""), body: body), "an empty secret never verifies")
        let rotating = WebhookSignature(secrets: ["new-secret-0123456789", "current-secret-0123456789"])
        #expect(rotating.isValid(good, body: body))
    }
}
