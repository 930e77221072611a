import Foundation

/// Where the App's webhook deliveries go, and the secret that signs them.
///
/// Set by `forge init --webhook-url/--webhook-secret`, by `PUT /_forge/webhook`, or by
/// ``ForgeServerOptions/webhook`` (what `netclode dev` uses), and kept in `DIR/webhook.json`
/// (0600: it holds the secret). Without a secret, deliveries go unsigned, as GitHub sends them
/// for a hook that has none.
public struct WebhookSettings: Codable, Sendable, Equatable {
    public var url: String
    public var secret: String?

    /// Checks the URL (absolute `http`/`https` with a host); an empty secret means none.
    public init(url: String, secret: String?) throws(ForgeError) {
        guard let components = URLComponents(string: url), ["http", "https"].contains(components.scheme?.lowercased() ?? ""),
              let host = components.host, !host.isEmpty else {
            throw ForgeError.invalidArgument(argument: "--webhook-url \(url)", reason: "expected an absolute http:// or https:// URL")
        }
        self.url = url
        self.secret = secret.flatMap { $0.isEmpty ? nil : $0 }
    }

    static func load(from layout: ForgeLayout) throws -> WebhookSettings? {
        guard FileManager.default.fileExists(atPath: layout.webhookFile.path) else { return nil }
        do {
            return try JSONDecoder().decode(WebhookSettings.self, from: Data(contentsOf: layout.webhookFile))
        } catch {
            throw ForgeError.corruptMetadata(layout.webhookFile.path, "\(error)")
        }
    }

    /// Writes `webhook.json` with mode 0600 from the first byte (never readable by others).
    func save(to layout: ForgeLayout) throws {
        let data = try JSONEncoder().encode(self)
        let staging = layout.webhookFile.deletingLastPathComponent().appendingPathComponent(".webhook.json.\(UUID().uuidString.prefix(8))")
        guard FileManager.default.createFile(atPath: staging.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw ForgeError.io("cannot write \(staging.path)")
        }
        // rename(2) replaces the old file atomically.
        guard rename(staging.path, layout.webhookFile.path) == 0 else {
            try? FileManager.default.removeItem(at: staging)
            throw ForgeError.io("cannot write \(layout.webhookFile.path): \(String(cString: strerror(errno)))")
        }
    }

    static func remove(from layout: ForgeLayout) throws {
        if FileManager.default.fileExists(atPath: layout.webhookFile.path) {
            try FileManager.default.removeItem(at: layout.webhookFile)
        }
    }
}
