import Foundation
import GitHubApp

/// Where the CLI finds a control plane when neither flags nor the environment say: a small JSON
/// file that `netclode dev` writes, so `netclode session create ...` in a second terminal just
/// works with no `export`.
///
/// The file holds the API token, so it is written with mode 0600 (and its directory 0700), the
/// same protection `~/.netrc` or a kubeconfig gets. It never holds a GitHub token.
struct ClientContext: Codable, Equatable, Sendable {
    var server: String
    var token: String
    /// What wrote it, shown in error messages (e.g. `netclode dev (/home/me/netclode/.netclode-dev)`).
    var source: String

    /// `NETCLODE_CONTEXT` when set, else `$XDG_CONFIG_HOME/netclode/context.json`, else
    /// `~/.config/netclode/context.json`.
    static func location(settings: EnvironmentSettings) -> URL {
        if let explicit = settings["NETCLODE_CONTEXT"] {
            return URL(fileURLWithPath: explicit)
        }
        let configHome = settings["XDG_CONFIG_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".config", isDirectory: true)
        return configHome.appendingPathComponent("netclode", isDirectory: true).appendingPathComponent("context.json")
    }

    /// The context at `url`, nil when there is none; a file that exists but cannot be read is an
    /// error that names it, rather than a silent fallback to another server.
    static func load(from url: URL) throws(ClientFailure) -> ClientContext? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try JSONDecoder().decode(ClientContext.self, from: Data(contentsOf: url))
        } catch {
            throw .configuration("cannot read the client context \(url.path): \(error.localizedDescription); delete it or run `netclode dev` again")
        }
    }

    /// Writes atomically with mode 0600: the file never exists with wider permissions, not even briefly.
    func save(to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try PrivateFile.write(encoder.encode(self), to: url)
    }
}

/// Files that hold a secret (an API token): created 0600 in a temporary name, then renamed.
enum PrivateFile {
    static func write(_ data: Data, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString.prefix(8))")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        // rename(2) replaces an existing file atomically (Foundation's replaceItemAt does not on Linux).
        guard rename(temporary.path, url.path) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path, NSUnderlyingErrorKey: POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)])
        }
    }
}
