import ArgumentParser
import ControlPlane
import Foundation
import GitHubApp
import GitHubBot
import Logging
import Sandbox
import Storage

/// `netclode serve`: the control plane.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the control plane: the Connect API, the session store and the sandboxes (local, or Pods on Kubernetes).",
        discussion: """
            Settings come from flags, then the environment, then a .env file in the working directory:
            NETCLODE_LISTEN, NETCLODE_DATA_DIR, NETCLODE_DATABASE (SQLite file) or NETCLODE_DATABASE_URL (postgres://...),
            NETCLODE_API_TOKEN (required), NETCLODE_SANDBOX, NETCLODE_LOG_LEVEL,
            NETCLODE_CREDENTIAL_MODE (proxy, the default: no token in sandboxes, git through the git proxy; or token),
            NETCLODE_SANDBOX_NETWORK (isolated or host), NETCLODE_EGRESS_ALLOW (host globs an isolated sandbox may reach),
            NETCLODE_MAX_CONCURRENT_STARTS (sandboxes starting at once, default 8; more wait in a queue),
            NETCLODE_MAX_QUEUED_STARTS (starts that may wait, default 64; beyond that CreateSession fails with
            resource_exhausted and makes nothing),
            NETCLODE_RUNTIME (local, the default: bubblewrap sandboxes on this host; or kubernetes: a Pod per session),
            NETCLODE_AGENT_CALLBACK_URL (the URL agents dial back to; default the listen address; required for kubernetes),
            for kubernetes: NETCLODE_AGENT_IMAGE (required), NETCLODE_K8S_NAMESPACE, NETCLODE_AGENT_IMAGE_PULL_POLICY,
            NETCLODE_K8S_RUNTIME_CLASS, NETCLODE_K8S_SERVICE_ACCOUNT, NETCLODE_K8S_{CPU,MEMORY,EPHEMERAL_STORAGE}_{REQUEST,LIMIT},
            NETCLODE_K8S_WORKSPACE_SIZE, NETCLODE_K8S_STORAGE_CLASS, and the cluster from the Pod's service account or KUBECONFIG,
            and the GitHub App settings GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY_B64 or GITHUB_APP_PRIVATE_KEY_PATH,
            GITHUB_INSTALLATION_ID, GITHUB_API_URL, GITHUB_WEB_URL. Without App settings, sessions without repos still work.
            The GitHub bot (POST /webhooks/github) is on when GITHUB_WEBHOOK_SECRET is set (GITHUB_WEBHOOK_SECRET_PREVIOUS
            during a rotation; NETCLODE_BOT_MENTION, NETCLODE_BOT_MAX_CONCURRENT, NETCLODE_BOT_MAX_QUEUED,
            NETCLODE_BOT_RUNS_PER_ISSUE_PER_HOUR, NETCLODE_BOT_RUN_TIMEOUT, NETCLODE_BOT_SESSION_RETENTION).

            Example: NETCLODE_API_TOKEN=$(openssl rand -hex 32) netclode serve --listen 127.0.0.1:8080
            """
    )

    @Option(help: "HOST:PORT to listen on (NETCLODE_LISTEN; default 127.0.0.1:8080; port 0 picks one).")
    var listen: String?

    @OptionGroup var dataOptions: ServerDataOptions

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (NETCLODE_LOG_LEVEL; default info).")
    var logLevel: String?

    func run() async throws {
        let environment = EnvironmentSettings.load()
        let settings: ControlPlaneSettings
        do {
            settings = try ControlPlaneSettings(settings: environment, overrides: dataOptions.overrides(listen: listen, logLevel: logLevel))
        } catch {
            throw CommandFailure("\(error)")
        }
        let logger = CommandLogging.logger(label: "netclode.serve", level: settings.logLevel)
        if !settings.listensOnLoopbackOnly {
            logger.warning("""
                listening on \(settings.host), which other machines can reach: the API speaks plain HTTP, so the API token \
                and every request travel in clear text. Put TLS in front (a reverse proxy such as Caddy or nginx terminating \
                HTTPS and forwarding to a loopback --listen), or keep --listen on 127.0.0.1.
                """)
        }
        // One registry for this server: the GitHub side records into it through the broker.
        let metrics = ServerMetrics()
        let github: GitHubAccess
        do {
            github = try GitHubAccess.load(settings: environment, metrics: metrics.github, logger: logger)
        } catch {
            throw CommandFailure("\(error)")
        }
        if case .notConfigured(let reason, _) = github {
            logger.warning("\(reason.message) — sessions with repositories will be refused until it is configured")
        }
        let hidden = [environment["GITHUB_APP_PRIVATE_KEY_PATH"]].compactMap { $0 }
        let runtime = try SandboxRuntimeChoice.make(settings: settings, environment: environment, hiddenPaths: hidden, logger: logger)
        let store = try await ControlPlaneServer.openStore(settings: settings, logger: logger)
        let server: ControlPlaneServer
        do {
            server = try GitHubBot.mount(on: WebUIMount.mount(on: try await ControlPlaneServer.make(
                settings: settings, github: github, store: store, runtime: runtime, logger: logger, metrics: metrics
            ), logger: logger), environment: environment, logger: logger)
        } catch {
            // Refused before serving (e.g. a webhook secret without an App): the store is let go
            // here, since no server will close it.
            try? await store.close()
            if let error = error as? ControlPlaneError { throw CommandFailure("\(error)") }
            throw error
        }
        let warnings = settings.readyWarnings
        try await server.run { ready in
            let lines = ["Netclode control plane listening on \(ready.url.absoluteString)"] + warnings
                + ["Web UI: \(ready.url.absoluteString)/ (sign in with the API token)"]
            FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        }
    }
}

/// Logging to stderr (stdout carries machine-readable lines), bootstrapped once per process.
enum CommandLogging {
    private static let once: Void = LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }

    static func logger(label: String, level: String) -> Logger {
        logger(label: label, level: Logger.Level(rawValue: level) ?? .info)
    }

    static func logger(label: String, level: Logger.Level) -> Logger {
        _ = once
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }

    /// This binary, which the control plane also runs as `netclode agent` in each sandbox.
    static var executablePath: String {
        LocalSandboxRuntime.currentExecutable
    }
}

/// A one-line error for the user, printed as `Error: ...` by ArgumentParser with exit code 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
