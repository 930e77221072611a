import ConnectRPC
import Foundation
import GitHubApp
import Hummingbird
import Logging
import NIOCore
import Sandbox
import ServiceLifecycle
import UnixSignals
import Storage

/// `netclode serve`: the control plane's HTTP server, its session manager, its store and its
/// sandbox runtime, wired together and run until SIGINT/SIGTERM.
public struct ControlPlaneServer: Sendable {
    public struct ReadyInfo: Sendable {
        public let url: URL
    }

    public let settings: ControlPlaneSettings
    public let manager: SessionManager
    let logger: Logger

    /// What the server serves, in order: observability, the client API, the agent channel, the
    /// benchmark route when enabled, then every group added with ``mounting(_:)``.
    public private(set) var routeGroups: [any ControlPlaneRouteGroup] = [
        ObservabilityRoutes(), ClientAPIRoutes(), AgentChannelRoutes(), GitProxyRoutes(), BenchRoutes(),
    ]

    /// What the sandbox listener serves (``ControlPlaneSettings/sandboxSocketPath``, a Unix
    /// socket bound into sandboxes on an isolated network): only what sandboxes need, the agent
    /// channel and every group added with ``mountingForSandboxes(_:)`` (the git proxy). Not the
    /// client API, not /metrics: a sandbox has no business there, token or not.
    public private(set) var sandboxRouteGroups: [any ControlPlaneRouteGroup] = [
        AgentChannelRoutes(), GitProxyRoutes(),
    ]

    /// The git proxy's per-repository mirrors, shared by both listeners so checks of one
    /// repository never overlap (see ``AncestryMirrors``).
    let gitMirrors: AncestryMirrors

    /// The web UI's signed-in browsers (cookie sessions), which the client API accepts besides
    /// the bearer token; kept in memory, so a restart signs browsers out.
    public let browserSignIn: BrowserSignIn

    /// Where webhook deliveries are kept, for the GitHub bot: the session store itself (SQLite or
    /// PostgreSQL), so a delivery and the session it made share one database.
    public let deliveries: any WebhookDeliveryStore

    /// What `/readyz` says of the GitHub bot; the bot's mount sets it.
    public internal(set) var botStatus = ControlPlaneServer.botOff

    /// The bot's status when nothing mounted it.
    public static let botOff = "off: GITHUB_WEBHOOK_SECRET is not set"

    /// Long-running work of mounted features (the bot's queue), run beside the HTTP server and
    /// stopped before the sessions are.
    private var featureServices: [any Service] = []

    /// The registry `/metrics` serves; the manager records into it.
    public var metrics: ServerMetrics { manager.metrics }

    /// The client API's authentication, for a mounted group that should require the API token too.
    public var apiTokenMiddleware: APITokenMiddleware<ControlPlaneRequestContext> {
        APITokenMiddleware(token: settings.apiToken, signIn: browserSignIn, observer: metrics)
    }

    init(settings: ControlPlaneSettings, manager: SessionManager, deliveries: any WebhookDeliveryStore, logger: Logger) {
        self.settings = settings
        self.manager = manager
        self.deliveries = deliveries
        self.logger = logger
        self.browserSignIn = BrowserSignIn(apiToken: settings.apiToken)
        self.gitMirrors = AncestryMirrors(root: Self.gitProxyDirectory(settings).appendingPathComponent("mirrors", isDirectory: true), logger: logger)
    }

    /// Where the git proxy keeps its mirrors and spooled pushes (never a token).
    static func gitProxyDirectory(_ settings: ControlPlaneSettings) -> URL {
        settings.dataDirectory.appendingPathComponent("git-proxy", isDirectory: true)
    }

    /// This server with `group` served too (the bot's webhook, the web UI, the git proxy): each
    /// feature mounts its routes, with its own authentication, without the server knowing it.
    public func mounting(_ group: some ControlPlaneRouteGroup) -> ControlPlaneServer {
        var server = self
        server.routeGroups.append(group)
        return server
    }

    /// This server with `service` run beside it: started with the server, shut down before the
    /// sessions are, so it can still use them while it stops. `status` is what `/readyz` reports
    /// for the feature (the GitHub bot).
    public func running(_ service: some Service, botStatus status: String) -> ControlPlaneServer {
        var server = self
        server.featureServices.append(service)
        server.botStatus = status
        return server
    }

    /// This server with `group` served on the sandbox listener too (see ``sandboxRouteGroups``).
    /// A group sandboxes on the host network also need is mounted with ``mounting(_:)`` as well.
    public func mountingForSandboxes(_ group: some ControlPlaneRouteGroup) -> ControlPlaneServer {
        var server = self
        server.sandboxRouteGroups.append(group)
        return server
    }

    /// Wires the server around a store and a sandbox runtime that `netclode serve` chose
    /// (``openStore(settings:logger:)``; ``localRuntime(settings:agentExecutable:hiddenPaths:logger:)``
    /// or the Kubernetes runtime, by ``ControlPlaneSettings/runtime``); nothing listens until
    /// ``run(onReady:)``.
    ///
    /// `metrics` is this server's own registry; pass the same instance's ``ServerMetrics/github``
    /// to `GitHubAccess.load` so token and GitHub API counts appear in it too.
    public static func make(settings: ControlPlaneSettings, github: GitHubAccess, store: any SessionStore & WebhookDeliveryStore, runtime: any SandboxRuntime,
                            logger: Logger, metrics: ServerMetrics = ServerMetrics()) async throws -> ControlPlaneServer {
        try FileManager.default.createDirectory(at: settings.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let local = settings.runtime == .local
        let manager = SessionManager(store: store, runtime: runtime, github: github, options: .init(
            agentCallbackURL: settings.agentCallbackURL,
            maxConcurrentStarts: settings.maxConcurrentStarts, maxQueuedStarts: settings.maxQueuedStarts,
            runs: settings.runs, credentialMode: settings.credentialMode,
            // Without isolation (NETCLODE_SANDBOX=none, announced at start) there is no network
            // namespace either: every sandbox uses the host's. A Pod has the cluster's network,
            // which NetworkPolicies fence, and no sandbox listener to bind.
            sandboxNetwork: local ? settings.sandboxNetwork ?? (settings.sandbox == .none ? .host : nil) : .host,
            egressAllow: settings.egressAllow,
            sandboxSocket: local ? SandboxListener.usablePath(settings.sandboxSocketPath, logger: logger) : nil),
            logger: logger, metrics: metrics, replica: try replicaRole(settings: settings, store: store))
        return ControlPlaneServer(settings: settings, manager: manager, deliveries: store, logger: logger)
    }

    /// This control plane's part among replicas (`NETCLODE_ADVERTISE_URL`), or nil for a lone one.
    private static func replicaRole(settings: ControlPlaneSettings, store: any SessionStore) throws -> ReplicaRole? {
        guard let replica = settings.replica else { return nil }
        guard let leases = store as? any SessionLeases else {
            throw ControlPlaneError.failedPrecondition("replicas (NETCLODE_ADVERTISE_URL) need a store that keeps session leases: PostgreSQL (NETCLODE_DATABASE_URL)")
        }
        return ReplicaRole(settings: replica, leases: leases, apiToken: settings.apiToken)
    }

    /// The session store the settings name: PostgreSQL (`NETCLODE_DATABASE_URL`) or the SQLite
    /// file, migrated.
    public static func openStore(settings: ControlPlaneSettings, logger: Logger) async throws -> any SessionStore & WebhookDeliveryStore {
        try FileManager.default.createDirectory(at: settings.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if let url = settings.databaseURL {
            return try await PostgresSessionStore.open(url: url, logger: logger, sharing: settings.replica == nil ? .exclusive : .replica)
        }
        return try await SQLiteSessionStore.open(path: settings.databasePath, logger: logger)
    }

    /// The `local` runtime: bubblewrap sandboxes under the data directory running
    /// `agentExecutable`, which never see `hiddenPaths` nor the database.
    public static func localRuntime(settings: ControlPlaneSettings, agentExecutable: String, hiddenPaths: [String], logger: Logger) -> LocalSandboxRuntime {
        LocalSandboxRuntime(dataDirectory: settings.dataDirectory, isolation: settings.sandbox, agentExecutable: agentExecutable,
                            hiddenPaths: hiddenPaths + [settings.databasePath], sessionsDirectory: settings.workspacesDirectory, logger: logger)
    }

    /// Serves until SIGINT/SIGTERM, then shuts the sessions down gracefully (agents told, tokens
    /// revoked, database closed). `onReady` runs once the socket is bound and the stored sessions are loaded; running sessions
    /// then get their sandbox back in the background (see ``SessionManager/start(controlPlaneURL:)``).
    public func run(onReady: @escaping @Sendable (ReadyInfo) async -> Void = { _ in }) async throws {
        try await serviceGroup(gracefulShutdownSignals: [.sigterm, .sigint], onReady: onReady).run()
    }

    /// The server as a service group, for a process that embeds it among other services
    /// (`netclode dev` runs it after its forge). Without signals it shuts down when its parent
    /// group does.
    public func serviceGroup(gracefulShutdownSignals: [UnixSignal] = [], onReady: @escaping @Sendable (ReadyInfo) async -> Void = { _ in }) -> ServiceGroup {
        let router = Router(context: ControlPlaneRequestContext.self)
        for group in routeGroups {
            group.addRoutes(to: router.group(RouterPath(group.path)), server: self)
        }
        let manager = self.manager
        let logger = self.logger
        let host = settings.host
        // Sandboxes on an isolated network dial the sandbox listener: it listens before any
        // sandbox is started (restored sessions start once the API listens).
        let sandboxListener = manager.options.sandboxSocket.map { SandboxListener(server: self, socketPath: $0) }
        let (listenerReady, listenerReadyContinuation) = AsyncStream<Void>.makeStream()
        if sandboxListener == nil { listenerReadyContinuation.finish() }
        let app = Application(
            router: router,
            // HTTP/1.1 and HTTP/2 with prior knowledge (h2c) on one port, for gRPC-style clients
            // that require HTTP/2; TLS, if wanted, is a reverse proxy's job.
            server: .http1AndH2C(),
            configuration: .init(address: .hostname(host, port: settings.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let shownHost = host.contains(":") ? "[\(host)]" : host
                let url = URL(string: "http://\(shownHost):\(port)")!
                for await _ in listenerReady { break }
                do {
                    try await manager.start(controlPlaneURL: url)
                } catch {
                    logger.error("restoring sessions failed: \(error)")
                }
                await onReady(ReadyInfo(url: url))
            },
            logger: logger
        )
        // Services shut down in reverse order: the sessions go first, ending the agents' Attach and
        // the watchers' streams, so the HTTP server then drains at once instead of waiting on them.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let sandboxListener {
            services.append(.init(service: sandboxListener.service(onReady: {
                listenerReadyContinuation.yield()
                listenerReadyContinuation.finish()
            })))
        }
        services += [.init(service: app), .init(service: SessionShutdownService(manager: manager))]
        // Last in, first out: features (the bot's runs) stop while the sessions still work.
        services += featureServices.map { .init(service: $0) }
        return ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: gracefulShutdownSignals,
            logger: logger
        ))
    }
}

/// Waits for graceful shutdown, then lets the session manager stop sandboxes, revoke tokens and
/// close the database before the process exits.
struct SessionShutdownService: Service {
    let manager: SessionManager

    func run() async throws {
        try? await gracefulShutdown()
        await manager.shutdown()
    }
}
