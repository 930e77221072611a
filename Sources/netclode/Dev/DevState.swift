import Foundation

/// The files of a `netclode dev` data directory:
///
/// ```
/// DIR/dev.json   what a client needs (URLs, API token, App and installations), mode 0600
/// DIR/forge/     the embedded forge: App key, installations, bare repositories
/// DIR/control/   the control plane: SQLite database and session workspaces
/// ```
struct DevLayout {
    let root: URL

    init(root: URL) {
        self.root = root.standardizedFileURL
    }

    var devFile: URL { root.appendingPathComponent("dev.json") }
    var forgeDirectory: URL { root.appendingPathComponent("forge", isDirectory: true) }
    var controlDirectory: URL { root.appendingPathComponent("control", isDirectory: true) }
    var database: URL { controlDirectory.appendingPathComponent("netclode.sqlite") }

    /// `--reset` deletes the directory only when it is recognisably a dev directory (or empty), so
    /// a mistyped `--data ~` cannot wipe anything else.
    func reset() throws(DevFailure) {
        let fileManager = FileManager.default
        guard fileManager.fileExists(atPath: root.path) else { return }
        let entries = (try? fileManager.contentsOfDirectory(atPath: root.path)) ?? []
        let known: Set<String> = ["dev.json", "forge", "control"]
        guard entries.allSatisfy({ known.contains($0) || $0.hasPrefix(".") }) else {
            throw DevFailure("--reset refuses to delete \(root.path): it holds files `netclode dev` did not make (\(entries.filter { !known.contains($0) }.sorted().prefix(3).joined(separator: ", ")))")
        }
        do {
            try fileManager.removeItem(at: root)
        } catch {
            throw DevFailure("--reset could not delete \(root.path): \(error.localizedDescription)")
        }
    }
}

/// `DIR/dev.json`: everything a script or a second terminal needs to talk to the dev server.
struct DevFile: Codable, Equatable {
    struct Installation: Codable, Equatable {
        var id: Int
        var account: String
        var repos: [String]
    }

    var controlPlaneURL: String
    var apiToken: String
    var forgeURL: String
    var appId: Int
    var installations: [Installation]
    /// The secret the forge signs its webhook deliveries to the bot with (absent in files written
    /// before the bot existed: a new one is made).
    var webhookSecret: String?
    /// The forge's user that can ask the bot for work, and the file holding its token.
    var botTryUser: String?
    var botTryTokenFile: String?

    static func load(from url: URL) throws(DevFailure) -> DevFile? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try JSONDecoder().decode(DevFile.self, from: Data(contentsOf: url))
        } catch {
            throw DevFailure("cannot read \(url.path): \(error.localizedDescription); fix it or start over with --reset")
        }
    }

    func save(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try PrivateFile.write(encoder.encode(self), to: url)
    }

    /// A new API token (or webhook secret): 32 random bytes as hex.
    static func generateAPIToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}

/// A `netclode dev` start-up problem, printed as one line with the fix.
struct DevFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
