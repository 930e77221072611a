import Foundation

/// GitHub's documented example webhook payloads, copied byte for byte from octokit/webhooks
/// (`Fixtures/github-webhooks/README.md` says which file is which): request bodies for tests of
/// a receiver, and the reference shape for tests of what the forge sends.
public enum WebhookFixtures {
    /// The raw bytes of `name` (e.g. `issue_comment.created.with-installation.json`).
    public static func data(_ name: String) throws -> Data {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/github-webhooks") else {
            throw WebhookFixtureMissing(name: name)
        }
        return try Data(contentsOf: url)
    }

    /// The fixture as a JSON object.
    public static func object(_ name: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: data(name)) as? [String: Any] else { throw WebhookFixtureMissing(name: name) }
        return object
    }
}

public struct WebhookFixtureMissing: Error, CustomStringConvertible {
    public var name: String
    public var description: String { "no webhook fixture \(name) in TestSupport's Fixtures/github-webhooks" }
}
