import Foundation
import Hummingbird
import Logging
import NIOCore
import _CryptoExtras

/// Options of `netclode forge serve`.
public struct ForgeServerOptions: Sendable {
    public var listen: ListenAddress
    /// Lifetime of minted installation tokens (GitHub: one hour).
    public var tokenTTL: TimeInterval
    /// Allow a non-loopback listen address.
    public var allowRemote: Bool
    /// Where to deliver the App's webhook events from now on, replacing (and overwriting) what
    /// `DIR/webhook.json` holds; `nil` keeps that file's settings (or none). `netclode dev` sets
    /// it to its control plane's `/webhooks/github` on every start.
    public var webhook: WebhookSettings?

    public static let defaultListen = ListenAddress(host: "127.0.0.1", port: 8790)

    public init(listen: ListenAddress = ForgeServerOptions.defaultListen, tokenTTL: TimeInterval = 3600, allowRemote: Bool = false,
                webhook: WebhookSettings? = nil) {
        self.listen = listen
        self.tokenTTL = tokenTTL
        self.allowRemote = allowRemote
        self.webhook = webhook
    }
}

/// The local forge as a server: load a data directory made by `forge init`, then run it as a
/// Hummingbird application — standalone (`netclode forge serve`) or inside another process's
/// service group (`netclode dev`).
public struct ForgeServer: Sendable {
    public let layout: ForgeLayout
    public let options: ForgeServerOptions
    public let metadata: ForgeMetadata
    let state: ForgeState
    let responder: ForgeResponder
    let logger: Logger

    /// Where the server listens once it runs.
    public struct ReadyInfo: Sendable {
        public var host: String
        public var port: Int
        /// `http://HOST:PORT`: the API base URL and the web (git) base URL.
        public var baseURL: String
    }

    /// Loads `DIR/forge.json` and the App key and checks the options; does not bind yet.
    public init(dataDirectory: URL, options: ForgeServerOptions = .init(), logger: Logger = Logger(label: "netclode.forge")) async throws {
        if !options.listen.isLoopback && !options.allowRemote {
            throw ForgeError.nonLoopbackListen(options.listen.description)
        }
        guard options.tokenTTL > 0 else {
            throw ForgeError.invalidArgument(argument: "--token-ttl \(options.tokenTTL)", reason: "must be a positive number of seconds")
        }
        let layout = ForgeLayout(dataDirectory: dataDirectory)
        let metadata = try ForgeMetadata.load(from: layout)
        let pem: String
        let key: _RSA.Signing.PrivateKey
        do {
            pem = try String(contentsOf: layout.privateKeyFile, encoding: .utf8)
            key = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
        } catch {
            throw ForgeError.io("cannot read the App private key \(layout.privateKeyFile.path): \(error)")
        }
        let state = ForgeState(metadata: metadata, activity: try ForgeActivity.load(from: layout), layout: layout,
                               tokenTTL: options.tokenTTL, logger: logger)
        if let webhook = options.webhook { try webhook.save(to: layout) }
        let webhooks = WebhookDispatcher(settings: try options.webhook ?? WebhookSettings.load(from: layout), layout: layout,
                                         appID: metadata.app.id, logger: logger)
        let deliveries = HookDeliveriesAPI(webhooks: webhooks)
        let backend = try await GitHTTPBackend.locate(projectRoot: layout.repositoriesRoot.path, logger: logger)
        let verifier = AppJWTVerifier(publicKey: key.publicKey, appID: metadata.app.id, clientID: metadata.app.clientID)
        self.layout = layout
        self.options = options
        self.metadata = metadata
        self.state = state
        self.logger = logger
        self.responder = ForgeResponder(
            state: state,
            api: APIHandler(state: state, verifier: verifier,
                            repositories: RepositoryAPI(state: state, webhooks: webhooks, logger: logger),
                            deliveries: deliveries, logger: logger),
            git: GitHandler(state: state, backend: backend, logger: logger),
            control: ControlHandler(state: state, webhooks: webhooks, deliveries: deliveries),
            fallbackOrigin: options.listen.url(),
            logger: logger)
    }

    /// The Hummingbird application; `onReady` runs once the socket is bound, with the real port.
    public func makeApplication(onReady: @escaping @Sendable (ReadyInfo) async -> Void = { _ in }) -> some ApplicationProtocol {
        let listen = options.listen
        // git http-backend and clients may close pipes early; a write to them must fail, not kill us.
        signal(SIGPIPE, SIG_IGN)
        return Application(
            responder: responder,
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? listen.port
                await onReady(ReadyInfo(host: listen.host, port: port, baseURL: listen.url(port: port)))
            },
            logger: logger)
    }

    /// Runs until SIGINT or SIGTERM.
    public func run(onReady: @escaping @Sendable (ReadyInfo) async -> Void = { _ in }) async throws {
        try await makeApplication(onReady: onReady).runService()
    }
}
