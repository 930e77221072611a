import Foundation

/// Where the forge keeps things inside its data directory.
public struct ForgeLayout: Sendable {
    public let dataDirectory: URL

    public init(dataDirectory: URL) {
        self.dataDirectory = dataDirectory.standardizedFileURL
    }

    public var metadataFile: URL { dataDirectory.appendingPathComponent("forge.json") }
    public var privateKeyFile: URL { dataDirectory.appendingPathComponent("app-private-key.pem") }
    /// Issues, pull requests, comments and reactions (`ForgeActivity`), rewritten on each change.
    public var activityFile: URL { dataDirectory.appendingPathComponent("activity.json") }
    /// The webhook URL and secret (`WebhookSettings`), 0600.
    public var webhookFile: URL { dataDirectory.appendingPathComponent("webhook.json") }
    /// One `LOGIN.token` (0600) per user `forge init` declared.
    public var usersDirectory: URL { dataDirectory.appendingPathComponent("users", isDirectory: true) }
    /// `GIT_PROJECT_ROOT` for `git http-backend`.
    public var repositoriesRoot: URL { dataDirectory.appendingPathComponent("repos", isDirectory: true) }

    public func bareRepository(owner: String, name: String) -> URL {
        repositoriesRoot.appendingPathComponent(owner, isDirectory: true)
            .appendingPathComponent("\(name).git", isDirectory: true)
    }

    /// The file holding `login`'s user token.
    public func userTokenFile(login: String) -> URL {
        usersDirectory.appendingPathComponent("\(login).token")
    }
}

extension ForgeMetadata {
    /// Reads `forge.json`.
    public static func load(from layout: ForgeLayout) throws -> ForgeMetadata {
        guard FileManager.default.fileExists(atPath: layout.metadataFile.path) else {
            throw ForgeError.notInitialised(layout.dataDirectory.path)
        }
        do {
            let data = try Data(contentsOf: layout.metadataFile)
            return try JSONDecoder().decode(ForgeMetadata.self, from: data)
        } catch {
            throw ForgeError.corruptMetadata(layout.metadataFile.path, "\(error)")
        }
    }

    /// Writes `forge.json` atomically (write to a sibling, then rename).
    public func save(to layout: ForgeLayout) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(self)
        try data.write(to: layout.metadataFile, options: .atomic)
    }
}
