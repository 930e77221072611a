import Foundation
import GitHubApp
import Logging
import Sandbox
import SocketRelay
import Storage

/// The control plane's own settings. Command-line flags override the environment, which overrides
/// `.env` (the CLI passes its flags as `overrides`).
public struct ControlPlaneSettings: Sendable {
    public static let defaultListen = "127.0.0.1:8080"
    public static let minimumTokenLength = 16
    public static let defaultMaxConcurrentStarts = 8
    public static let defaultMaxQueuedStarts = 64

    public var host: String
    public var port: Int
    public var dataDirectory: URL
    public var databasePath: String
    /// `NETCLODE_DATABASE_URL` (`postgres://…`): the session store on PostgreSQL instead of the
    /// embedded SQLite file at ``databasePath``. Never printed whole (it may hold a password).
    public var databaseURL: String?
    public var apiToken: String
    public var sandbox: IsolationMode
    /// `NETCLODE_SANDBOX_NETWORK`: the network of every sandbox, or nil when unset (the session
    /// manager then picks per session, see ``SessionManager/sandboxNetwork(for:)``).
    public var sandboxNetwork: SandboxNetwork?
    /// `NETCLODE_EGRESS_ALLOW`: the hosts sandboxes on an isolated network may reach through
    /// their egress proxy; default any public host.
    public var egressAllow: EgressAllowList = .anyPublicHost
    /// NETCLODE_LOG_LEVEL (flag `--log-level`); default `info`.
    public var logLevel: Logger.Level = .info
    /// How many sandboxes may be starting at once (`NETCLODE_MAX_CONCURRENT_STARTS`); more wait.
    public var maxConcurrentStarts: Int = defaultMaxConcurrentStarts
    /// How many starts may wait for a slot (`NETCLODE_MAX_QUEUED_STARTS`); beyond that a new
    /// session is refused with `resource_exhausted` and nothing is made for it.
    public var maxQueuedStarts: Int = defaultMaxQueuedStarts
    /// The agent command, timeouts and output cap of runs (`NETCLODE_AGENT_COMMAND`, ...).
    public var runs = RunSettings()
    /// How sessions that do not say reach GitHub (`NETCLODE_CREDENTIAL_MODE`; default `proxy`).
    public var credentialMode: CredentialMode = .proxy
    /// Where sandboxes run (`NETCLODE_RUNTIME`; default `local`). The `kubernetes` runtime's own
    /// settings (`NETCLODE_K8S_*`, `NETCLODE_AGENT_IMAGE`) are read by that runtime.
    public var runtime: SandboxRuntimeKind = .local
    /// Where agents dial back to (`NETCLODE_AGENT_CALLBACK_URL`); nil: the bound address.
    /// Required by the `kubernetes` runtime.
    public var agentCallbackURL: URL?
    /// Replica mode (`NETCLODE_ADVERTISE_URL`, `NETCLODE_LEASE_SECONDS`); nil: the only control
    /// plane on its database.
    public var replica: ReplicaSettings?
    /// `NETCLODE_WORKSPACES_DIR`: where the local runtime keeps session directories; nil: the
    /// data directory's `sessions/`. Replicas share it so a session taken over finds its workspace.
    public var workspacesDirectory: URL?

    public struct Overrides: Sendable {
        public var listen: String?
        public var dataDirectory: String?
        public var database: String?
        public var apiToken: String?
        public var sandbox: String?
        public var logLevel: String?

        public init(listen: String? = nil, dataDirectory: String? = nil, database: String? = nil, apiToken: String? = nil, sandbox: String? = nil, logLevel: String? = nil) {
            self.listen = listen
            self.dataDirectory = dataDirectory
            self.database = database
            self.apiToken = apiToken
            self.sandbox = sandbox
            self.logLevel = logLevel
        }
    }

    public init(settings: EnvironmentSettings, overrides: Overrides = .init()) throws(ControlPlaneError) {
        if let level = overrides.logLevel {
            logLevel = try Self.parseLogLevel(level, source: "--log-level")
        } else if let level = settings["NETCLODE_LOG_LEVEL"] {
            logLevel = try Self.parseLogLevel(level, source: "NETCLODE_LOG_LEVEL")
        }
        let listen = overrides.listen ?? settings["NETCLODE_LISTEN"] ?? Self.defaultListen
        (host, port) = try Self.parseListen(listen)
        let dataPath = overrides.dataDirectory ?? settings["NETCLODE_DATA_DIR"] ?? "./.netclode"
        dataDirectory = URL(fileURLWithPath: dataPath).standardizedFileURL
        databasePath = overrides.database ?? settings["NETCLODE_DATABASE"] ?? dataDirectory.appendingPathComponent("netclode.sqlite").path
        if let url = settings["NETCLODE_DATABASE_URL"], !url.trimmingCharacters(in: .whitespaces).isEmpty {
            do {
                _ = try PostgresURL(url)
            } catch {
                throw .invalidArgument("\(error)")
            }
            databaseURL = url
        }
        guard let token = overrides.apiToken ?? settings["NETCLODE_API_TOKEN"] else {
            throw .failedPrecondition("NETCLODE_API_TOKEN is not set: every API call needs it as a bearer token. "
                + "Create one with `export NETCLODE_API_TOKEN=$(openssl rand -hex 32)` (or put it in .env) and pass the same value to clients.")
        }
        guard token.count >= Self.minimumTokenLength, !token.contains(where: \.isWhitespace) else {
            throw .failedPrecondition("NETCLODE_API_TOKEN must be at least \(Self.minimumTokenLength) characters without spaces (e.g. `openssl rand -hex 32`)")
        }
        apiToken = token
        do {
            sandbox = try IsolationMode(setting: overrides.sandbox ?? settings["NETCLODE_SANDBOX"])
            sandboxNetwork = try SandboxNetwork(setting: settings["NETCLODE_SANDBOX_NETWORK"])
            egressAllow = try EgressAllowList(setting: settings["NETCLODE_EGRESS_ALLOW"])
        } catch {
            throw .failedPrecondition("\(error)")
        }
        runtime = try SandboxRuntimeKind(setting: settings["NETCLODE_RUNTIME"])
        // An isolated network needs namespaces; asked for explicitly, it cannot be had unisolated.
        if runtime == .local, sandbox == .none, sandboxNetwork == .isolated {
            throw .failedPrecondition("NETCLODE_SANDBOX_NETWORK=isolated needs bubblewrap, but NETCLODE_SANDBOX=none runs sandboxes without namespaces on the host's network; unset one of them")
        }
        if runtime == .local, sandboxNetwork == .isolated, let problem = UnixSocketPath.problem(with: sandboxSocketPath) {
            throw .failedPrecondition("NETCLODE_SANDBOX_NETWORK=isolated needs the sandbox listener's socket: \(problem); choose a shorter NETCLODE_DATA_DIR")
        }
        maxConcurrentStarts = try Self.parseCount(settings["NETCLODE_MAX_CONCURRENT_STARTS"], name: "NETCLODE_MAX_CONCURRENT_STARTS",
                                                  range: 1...1024, default: Self.defaultMaxConcurrentStarts)
        maxQueuedStarts = try Self.parseCount(settings["NETCLODE_MAX_QUEUED_STARTS"], name: "NETCLODE_MAX_QUEUED_STARTS",
                                              range: 0...100_000, default: Self.defaultMaxQueuedStarts)
        runs = try RunSettings(settings: settings)
        credentialMode = try CredentialMode(settings["NETCLODE_CREDENTIAL_MODE"], source: "NETCLODE_CREDENTIAL_MODE", fallback: .proxy)
        agentCallbackURL = try AgentCallbackURL.parse(settings["NETCLODE_AGENT_CALLBACK_URL"])
        replica = try ReplicaSettings.parse(settings, databaseURL: databaseURL)
        if replica != nil, runtime == .kubernetes, credentialMode == .proxy {
            throw .failedPrecondition(Self.kubernetesReplicasNeedTokenMode + ": set NETCLODE_CREDENTIAL_MODE=token")
        }
        if let path = settings["NETCLODE_WORKSPACES_DIR"], !path.trimmingCharacters(in: .whitespaces).isEmpty {
            guard path.hasPrefix("/") else { throw .invalidArgument("NETCLODE_WORKSPACES_DIR must be an absolute path, got \"\(path)\"") }
            workspacesDirectory = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
        }
        if runtime == .kubernetes {
            guard agentCallbackURL != nil else {
                throw .failedPrecondition("NETCLODE_RUNTIME=kubernetes needs NETCLODE_AGENT_CALLBACK_URL, the URL sandbox Pods reach the control plane at "
                    + "(its Service, e.g. http://netclode.netclode.svc.cluster.local:8080): the address it listens on is not reachable from a Pod")
            }
            if sandboxNetwork == .isolated {
                throw .failedPrecondition("NETCLODE_SANDBOX_NETWORK=isolated is a local-runtime network (bubblewrap and Unix sockets); with NETCLODE_RUNTIME=kubernetes, "
                    + "sandbox Pods use the cluster's network, fenced by NetworkPolicies: unset NETCLODE_SANDBOX_NETWORK")
            }
        }
    }

    /// Why `kubernetes` replicas run token-mode sessions only: sandbox Pods reach the git proxy
    /// through the Service, so their git would land on replicas that do not know the session's
    /// git credential.
    public static let kubernetesReplicasNeedTokenMode =
        "replicas with NETCLODE_RUNTIME=kubernetes run token-mode sessions only for now (a sandbox Pod's git reaches the git proxy through the Service, "
        + "and only the replica running the session knows its git credential)"

    /// The control plane's sandbox listener: a Unix socket in the data directory that serves only
    /// what sandboxes need (``ControlPlaneServer/sandboxRouteGroups``), bound into sandboxes on an
    /// isolated network.
    public var sandboxSocketPath: String {
        dataDirectory.appendingPathComponent("run", isDirectory: true).appendingPathComponent("sandbox.sock").path
    }

    /// What `netclode serve` and `netclode dev` print among their ready lines (not only in the
    /// log): a sandbox that is not isolated must not go unnoticed.
    public var readyWarnings: [String] {
        guard runtime == .local, sandbox == .none else { return [] }
        return ["WARNING: sandboxes are NOT isolated (NETCLODE_SANDBOX=none): their processes run as this user on the host's network and can read the data directory, the database and the GitHub App private key"]
    }

    /// Whether only this machine can reach the listen address (`127.0.0.0/8`, `::1`, `localhost`).
    /// Anything else carries the API token over the network in clear text, since the server speaks
    /// plain HTTP: `netclode serve` warns about it at startup.
    public var listensOnLoopbackOnly: Bool {
        let name = self.host.lowercased()
        if name == "localhost" || name == "::1" || name == "0:0:0:0:0:0:0:1" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// A whole number within `range`, or `default` when unset. A value that is set but unusable
    /// stops the server with its name, rather than being ignored.
    public static func parseCount(_ text: String?, name: String, range: ClosedRange<Int>, default value: Int) throws(ControlPlaneError) -> Int {
        guard let text else { return value }
        guard let number = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(number) else {
            throw .invalidArgument("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
        }
        return number
    }

    /// One of swift-log's level names, in any case. A typo is an error rather than a silent `info`,
    /// since someone asking for `debug` is usually chasing a problem.
    static func parseLogLevel(_ text: String, source: String) throws(ControlPlaneError) -> Logger.Level {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let level = Logger.Level(rawValue: trimmed) else {
            let valid = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalidArgument("\(source) must be one of \(valid); got \"\(text)\"")
        }
        return level
    }

    /// `HOST:PORT` (IPv6 as `[::1]:PORT`); port 0 picks a free port.
    static func parseListen(_ text: String) throws(ControlPlaneError) -> (String, Int) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[close...].dropFirst(2)
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            throw .invalidArgument("listen address must be HOST:PORT, got \"\(text)\"")
        }
        guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else {
            throw .invalidArgument("listen address must be HOST:PORT with a port from 0 to 65535, got \"\(text)\"")
        }
        return (String(host), port)
    }
}

/// Printed (e.g. by service-lifecycle's debug log of the services it runs) without the API
/// token: a bearer token never reaches a log.
extension ControlPlaneSettings: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        "ControlPlaneSettings(listen: \(host):\(port), dataDirectory: \(dataDirectory.path), database: \(databaseURL.map { PostgresURL.redacted($0) } ?? databasePath), "
            + "apiToken: <redacted>, sandbox: \(sandbox), sandboxNetwork: \(sandboxNetwork?.rawValue ?? "per session"), egressAllow: \(egressAllow), runtime: \(runtime.rawValue), agentCallbackURL: \(agentCallbackURL?.absoluteString ?? "the bound address"), replica: \(replica.map { "\($0.advertiseURL.absoluteString), lease \($0.lease)" } ?? "none"), logLevel: \(logLevel), maxConcurrentStarts: \(maxConcurrentStarts), maxQueuedStarts: \(maxQueuedStarts), agentCommand: \(runs.agentCommand?.description ?? "none"))"
    }

    public var debugDescription: String { description }
}
