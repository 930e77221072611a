import Crypto
import Foundation
import TestSupport

/// What a webhook receiver checks, written here independently of the forge.
enum WebhookChecks {
    /// `sha256=<hex HMAC-SHA256(body, secret)>`.
    static func signature256(_ body: [UInt8], secret: String) -> String {
        "sha256=" + HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8))).map { String(format: "%02x", $0) }.joined()
    }

    /// `sha1=<hex HMAC-SHA1(body, secret)>`.
    static func signature1(_ body: [UInt8], secret: String) -> String {
        "sha1=" + HMAC<Insecure.SHA1>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8))).map { String(format: "%02x", $0) }.joined()
    }

    /// The keys of GitHub's example payload `fixture` that `payload` lacks, `depth` objects
    /// deep (an object GitHub has where the forge sends `null`, e.g. a milestone, is fine).
    static func missingKeys(fixture name: String, in payload: [String: Any], depth: Int = 3, ignoring: Set<String> = ["organization"]) throws -> [String] {
        missing(try WebhookFixtures.object(name), payload, path: "", depth: depth, ignoring: ignoring)
    }

    private static func missing(_ fixture: [String: Any], _ actual: [String: Any], path: String, depth: Int, ignoring: Set<String>) -> [String] {
        var result: [String] = []
        for (key, value) in fixture where !ignoring.contains(key) {
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            guard let mine = actual[key] else {
                result.append(keyPath)
                continue
            }
            // `permissions` maps hold data (which permissions), not shape.
            if depth > 0, key != "permissions", let nested = value as? [String: Any], let mineNested = mine as? [String: Any] {
                result += missing(nested, mineNested, path: keyPath, depth: depth - 1, ignoring: [])
            }
        }
        return result.sorted()
    }

    /// The request's body as a JSON object.
    static func payload(_ request: RecordingHTTPServer.Request) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any] else {
            throw ForgeProcessError("the delivery body is not a JSON object")
        }
        return object
    }
}
