import ArgumentParser
import ControlPlane
import Forge
import Foundation
import GitHubApp
import Logging
import NetclodeProto
import ServiceLifecycle
import UnixSignals

/// `netclode dev`: the whole system in one process on loopback — a seeded local forge, the
/// control plane configured against it exactly as against github.com, the local sandbox runtime
/// and SQLite — so a newcomer can create sessions with no GitHub account and no configuration.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run Netclode with everything embedded: a demo forge, the control plane, sandboxes.",
        discussion: """
            The first start seeds DIR/forge with a demo GitHub App and repositories, generates an API token and writes
            DIR/dev.json (mode 0600) plus a client context (NETCLODE_CONTEXT, default ~/.config/netclode/context.json)
            that the other commands pick up, so `netclode session create ...` in another terminal just works.
            Later starts keep the sessions and repositories; --reset starts over. Ctrl-C stops everything.

            Example: netclode dev --data ./.netclode-dev --listen 127.0.0.1:8080
            """
    )

    @Option(help: "Data directory: forge, database, workspaces and dev.json.")
    var data: String = "./.netclode-dev"

    @Option(help: "HOST:PORT for the control plane (loopback only; port 0 picks one). The forge takes another free port.")
    var listen: String = ControlPlaneSettings.defaultListen

    @Flag(help: "Delete the data directory first (sessions, forge repositories, API token) and start over.")
    var reset = false

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (NETCLODE_LOG_LEVEL; default warning, so the welcome stays readable).")
    var logLevel: String?

    func run() async throws {
        let environment = EnvironmentSettings.load()
        let levelName = logLevel ?? environment["NETCLODE_LOG_LEVEL"] ?? "warning"
        guard let level = Logger.Level(rawValue: levelName) else {
            throw CommandFailure("\(logLevel == nil ? "NETCLODE_LOG_LEVEL" : "--log-level") must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")); got \"\(levelName)\"")
        }
        let logger = CommandLogging.logger(label: "netclode.dev", level: level)
        let layout = DevLayout(root: URL(fileURLWithPath: data))
        let prepared: DevSetup
        do {
            prepared = try await DevSetup.prepare(layout: layout, listen: listen, logLevel: levelName, reset: reset, environment: environment, logger: logger)
        } catch let failure as DevFailure {
            throw CommandFailure(failure.description)
        } catch let error as ForgeError {
            throw CommandFailure(error.description)
        }
        let contextURL = ClientContext.location(settings: environment)
        let server: ControlPlaneServer
        do {
            server = try DevBot.mount(on: WebUIMount.mount(on: prepared.controlPlane, logger: logger),
                                      secret: prepared.devFile.webhookSecret ?? "", environment: environment, logger: logger)
        } catch {
            throw CommandFailure("\(error)")
        }
        let control = DevControlPlaneService(server: server, forgeReady: prepared.forgeReady) { url in
            do {
                var devFile = prepared.devFile
                devFile.controlPlaneURL = url.absoluteString
                try devFile.save(to: layout.devFile)
                if let secret = devFile.webhookSecret {
                    try await DevBot.pointForge(at: url, forgeURL: devFile.forgeURL, secret: secret)
                }
                try ClientContext(server: url.absoluteString, token: devFile.apiToken, source: "netclode dev (\(layout.root.path))")
                    .save(to: contextURL)
                let resumed = await prepared.controlPlane.manager.statusCounts().filter { $0.key != .deleted }.values.reduce(0, +)
                DevWelcome(devFile: devFile, layout: layout, contextFile: contextURL, resumedSessions: resumed,
                           signInLink: "\(url.absoluteString)/ui/link?code=\(server.browserSignIn.makeLink())",
                           warnings: prepared.controlPlane.settings.readyWarnings).print()
            } catch {
                logger.error("cannot write \(layout.devFile.path) or \(contextURL.path): \(error)")
            }
        }
        // Services stop in reverse order: the control plane first (agents stopped, tokens revoked
        // at the forge while it still answers), the forge last.
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: prepared.forge), .init(service: control)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await group.run()
    }
}

/// Runs the control plane once the forge is listening: restoring sessions mints tokens there.
struct DevControlPlaneService: Service, CustomStringConvertible {
    let server: ControlPlaneServer
    let forgeReady: AsyncStream<Void>
    let onReady: @Sendable (URL) async -> Void

    /// What service-lifecycle logs for this service: a name, not the server's settings.
    var description: String { "DevControlPlaneService" }

    func run() async throws {
        let forgeStarted = await cancelWhenGracefulShutdown {
            for await _ in forgeReady { return true }
            return false
        }
        guard forgeStarted else { return }
        let group = server.serviceGroup { ready in await onReady(ready.url) }
        // A nested group does not see its parent's shutdown by itself: pass it on.
        try await withGracefulShutdownHandler {
            try await group.run()
        } onGracefulShutdown: {
            Task { await group.triggerGracefulShutdown() }
        }
    }
}
