import ArgumentParser
import Forge
import Foundation
import Logging

/// `netclode forge serve`: run the forge until SIGINT/SIGTERM.
struct ForgeServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a forge made by `netclode forge init` (seeding a demo forge if DIR does not exist yet).",
        discussion: """
            Prints exactly one line to stdout when ready: `Forge listening on http://HOST:PORT`. Logs go to stderr.

            Example: netclode forge serve --data ./.netclode-forge --listen 127.0.0.1:0
            """
    )

    @Option(name: .long, help: "The forge's data directory; a demo forge is created there if it does not exist.")
    var data: String = "./.netclode-forge"

    @Option(name: .long, help: "HOST:PORT to listen on; port 0 picks a free port.")
    var listen: String = ForgeServerOptions.defaultListen.description

    @Option(name: .customLong("token-ttl"), help: "Lifetime of minted installation tokens, in seconds.")
    var tokenTTL: Int = 3600

    @Flag(name: .customLong("allow-remote"), help: "Allow listening on a non-loopback address.")
    var allowRemote = false

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func run() async throws {
        let logger = CommandLogging.logger(label: "netclode.forge", level: logLevel)
        let server: ForgeServer
        let seeded: ForgeInitResult?
        let dataDirectory = URL(fileURLWithPath: data)
        do {
            seeded = try await Self.seedDemoIfMissing(dataDirectory)
            let address = try ListenAddress(parsing: listen)
            server = try await ForgeServer(
                dataDirectory: dataDirectory,
                options: ForgeServerOptions(listen: address, tokenTTL: TimeInterval(tokenTTL), allowRemote: allowRemote),
                logger: logger)
        } catch let error as ForgeError {
            ForgeCommand.fail(error)
        }
        try await server.run { ready in
            // Unbuffered, so a parent process reading the pipe sees it at once.
            FileHandle.standardOutput.write(Data("Forge listening on \(ready.baseURL)\n".utf8))
            if let seeded { Self.printSettings(seeded, baseURL: ready.baseURL) }
        }
    }

    /// A first `netclode forge` on a fresh checkout has no forge yet: make the demo one, so the
    /// README's first command works with no other step. An existing directory is never touched.
    private static func seedDemoIfMissing(_ directory: URL) async throws -> ForgeInitResult? {
        guard !FileManager.default.fileExists(atPath: directory.path) else { return nil }
        return try await ForgeInitializer.initialise(.demo(dataDirectory: directory))
    }

    /// On stderr (stdout carries only the ready line): what was seeded and how to point a GitHub
    /// App client at it.
    private static func printSettings(_ result: ForgeInitResult, baseURL: String) {
        var lines = ["Seeded a demo forge: \(result.metadata.app.name), App ID \(result.metadata.app.id)"]
        for installation in result.installations {
            lines.append("  installation \(installation.id) on \(installation.account): \(installation.repositories.joined(separator: ", "))")
        }
        lines.append("  not covered by any installation: \(result.uninstalledRepositories.joined(separator: ", "))")
        for user in result.userTokenPaths {
            lines.append("  user \(user.login) (\(result.roles(of: user.login).joined(separator: ", "))): token in \(user.path)")
        }
        lines.append("Point a GitHub App client at it:")
        lines.append("  export GITHUB_APP_ID=\(result.metadata.app.id) GITHUB_APP_PRIVATE_KEY_PATH=\(result.privateKeyPath)")
        lines.append("  export GITHUB_API_URL=\(baseURL) GITHUB_WEB_URL=\(baseURL)")
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}
