import ControlPlane
import Forge
import Foundation
import GitHubApp
import Hummingbird
import Logging
import Sandbox
import ServiceLifecycle

/// Everything `netclode dev` prepares before anything listens: the data directory, the seeded
/// forge, `dev.json`'s token and ports, and a control plane configured against the forge through
/// the same settings (`GITHUB_API_URL`, ...) a real GitHub App would use.
struct DevSetup {
    let forge: any Service
    let forgeReady: AsyncStream<Void>
    let controlPlane: ControlPlaneServer
    /// `dev.json` as it will be written once the control plane listens (its URL filled in then).
    let devFile: DevFile

    static func prepare(layout: DevLayout, listen: String, logLevel: String, reset: Bool, environment: EnvironmentSettings, logger: Logger) async throws -> DevSetup {
        if reset { try layout.reset() }
        try FileManager.default.createDirectory(at: layout.root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let previous = try DevFile.load(from: layout.devFile)

        let seeded = !FileManager.default.fileExists(atPath: layout.forgeDirectory.path)
        if seeded {
            _ = try await ForgeInitializer.initialise(.demo(dataDirectory: layout.forgeDirectory))
        }
        let forgePort = try forgePort(previous: previous, layout: layout)
        let forge = try await ForgeServer(
            dataDirectory: layout.forgeDirectory,
            options: ForgeServerOptions(listen: ListenAddress(host: "127.0.0.1", port: forgePort)),
            logger: logger)
        let forgeURL = "http://127.0.0.1:\(forgePort)"
        let (forgeReady, readyContinuation) = AsyncStream.makeStream(of: Void.self)
        let forgeApplication = forge.makeApplication { _ in
            readyContinuation.yield()
            readyContinuation.finish()
        }

        let apiToken = previous?.apiToken ?? DevFile.generateAPIToken()
        let keyPath = ForgeLayout(dataDirectory: layout.forgeDirectory).privateKeyFile.path
        let settings = try controlPlaneSettings(layout: layout, listen: listen, logLevel: logLevel, apiToken: apiToken, environment: environment)
        // One registry: the GitHub side records into the same one `/metrics` serves.
        let metrics = ServerMetrics()
        let github = try GitHubAccess.load(
            settings: githubSettings(appID: forge.metadata.app.id, keyPath: keyPath, forgeURL: forgeURL),
            metrics: metrics.github, logger: logger)
        let runtime = ControlPlaneServer.localRuntime(settings: settings, agentExecutable: CommandLogging.executablePath,
                                                      hiddenPaths: [layout.forgeDirectory.path, layout.devFile.path], logger: logger)
        let controlPlane = try await ControlPlaneServer.make(
            settings: settings, github: github, store: try await ControlPlaneServer.openStore(settings: settings, logger: logger),
            runtime: runtime, logger: logger, metrics: metrics)

        let installations = forge.metadata.installations.map { installation in
            DevFile.Installation(id: installation.id, account: installation.accountLogin,
                                 repos: forge.metadata.repositories(of: installation).map(\.fullName))
        }
        var devFile = DevFile(controlPlaneURL: "", apiToken: apiToken, forgeURL: forgeURL, appId: forge.metadata.app.id, installations: installations,
                              webhookSecret: previous?.webhookSecret ?? DevFile.generateAPIToken())
        let writer = ForgeLayout(dataDirectory: layout.forgeDirectory).userTokenFile(login: DevBot.user)
        if FileManager.default.fileExists(atPath: writer.path) {
            (devFile.botTryUser, devFile.botTryTokenFile) = (DevBot.user, writer.path)
        }
        return DevSetup(forge: forgeApplication, forgeReady: forgeReady, controlPlane: controlPlane, devFile: devFile)
    }

    /// The port recorded by an earlier start (cloned workspaces' `origin` names it), or a free one.
    private static func forgePort(previous: DevFile?, layout: DevLayout) throws(DevFailure) -> Int {
        if let previous, let port = URL(string: previous.forgeURL)?.port {
            guard LoopbackPort.isAvailable(port) else {
                throw DevFailure("the forge's port \(port) (recorded in \(layout.devFile.path); the sessions' clones point at it) is in use: stop what holds it (another `netclode dev`?), or start over with --reset")
            }
            return port
        }
        guard let port = LoopbackPort.free() else {
            throw DevFailure("no free port on 127.0.0.1 for the forge")
        }
        return port
    }

    /// The control plane's settings: the environment's (e.g. `NETCLODE_SANDBOX`) with the dev
    /// directory, listen address and API token on top.
    private static func controlPlaneSettings(layout: DevLayout, listen: String, logLevel: String, apiToken: String, environment: EnvironmentSettings) throws(DevFailure) -> ControlPlaneSettings {
        do {
            let settings = try ControlPlaneSettings(settings: environment, overrides: .init(
                listen: listen, dataDirectory: layout.controlDirectory.path, database: layout.database.path, apiToken: apiToken, logLevel: logLevel))
            guard ["127.0.0.1", "localhost", "::1"].contains(settings.host) else {
                throw DevFailure("--listen \(listen): `netclode dev` listens on loopback only (127.0.0.1, ::1); use `netclode serve` to serve other hosts")
            }
            return settings
        } catch let failure as DevFailure {
            throw failure
        } catch {
            throw DevFailure("--listen \(listen): \(error)")
        }
    }

    /// The GitHub App settings pointing at the embedded forge. `GITHUB_*` variables of the shell
    /// (a real App's, say) are deliberately ignored: `dev` always talks to its own forge.
    private static func githubSettings(appID: Int, keyPath: String, forgeURL: String) -> EnvironmentSettings {
        EnvironmentSettings([
            "GITHUB_APP_ID": "\(appID)",
            "GITHUB_APP_PRIVATE_KEY_PATH": keyPath,
            "GITHUB_API_URL": forgeURL,
            "GITHUB_WEB_URL": forgeURL,
        ])
    }
}
