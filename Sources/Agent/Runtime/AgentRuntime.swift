import ConnectRPC
import Foundation
import Logging
import NetclodeProto
import SwiftProtobuf

/// The agent inside a sandbox: dials back to the control plane, clones the session's repositories,
/// serves git its credentials, applies credential updates, runs commands, and reconnects with
/// backoff whenever the channel drops.
public actor AgentRuntime {
    static let attachMethod = "netclode.v1.AgentService/Attach"
    static let reportMethod = "netclode.v1.AgentService/Report"
    static let version = "0.1"

    let settings: AgentSettings
    let logger: Logger
    private let client: ConnectClient
    let credentials = CredentialStore()
    /// How git gets its credentials: the helper (token mode) or the git proxy (proxy mode, set by
    /// the first config).
    var helper: CredentialHelperConfiguration
    var config: Netclode_V1_AgentConfig?
    /// The clones in progress: the first config's, then each repository update's after it.
    var cloning: Task<Void, Never>?
    private var shuttingDown = false
    /// The access level of the credentials in force ("read"/"write").
    private var access = ""
    /// Reports leave one at a time, in the order they were made (see ``ReportOutbox``).
    let outbox = ReportOutbox()
    /// Runs and streamed execs in progress, by process id, so `CancelProcess` can stop them.
    var processes: [String: ProcessControl] = [:]
    /// The URL a plain HTTP client in the sandbox (git) uses to reach the control plane:
    /// `NETCLODE_CONTROL_PLANE_URL` on the host network; on an isolated network
    /// `http://127.0.0.1:<port>` of the loopback forwarder to the sandbox listener, set by
    /// ``run()`` before the channel is dialled (so before any config or command is handled).
    public private(set) var controlPlaneHTTPURL: String
    /// `HTTP_PROXY` and friends for every command and clone, on an isolated network (see
    /// ``SandboxBridge``); empty on the host network.
    var egressEnvironment: [String: String] = [:]

    public init(settings: AgentSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        self.controlPlaneHTTPURL = settings.controlPlaneURL
        self.client = ConnectClient(baseURL: settings.channelBaseURL, codec: .proto, headers: [("Authorization", "Bearer \(settings.secret)")])
        self.helper = CredentialHelperConfiguration(executable: CredentialHelperConfiguration.currentExecutable(), socketPath: settings.socketPath)
    }

    /// Runs until the control plane says shut down (or refuses this agent for good).
    public func run() async throws {
        try FileManager.default.createDirectory(at: settings.workspace, withIntermediateDirectories: true)
        let server = try await CredentialServer.start(socketPath: settings.socketPath, store: credentials, logger: logger)
        defer { Task { await server.stop() } }
        let bridge = try await SandboxBridge.start(settings: settings, logger: logger)
        defer { Task { await bridge.stop() } }
        if let url = bridge.controlPlaneHTTPURL { controlPlaneHTTPURL = url }
        egressEnvironment = bridge.proxyEnvironment
        let sender = Task { await self.sendReports() }
        defer {
            outbox.finish()
            sender.cancel()
        }
        var backoff = Duration.milliseconds(250)
        var refusals = 0
        while !shuttingDown {
            do {
                var request = Netclode_V1_AttachRequest()
                request.sessionID = settings.sessionID
                request.agentVersion = Self.version
                for try await command in client.serverStream(Self.attachMethod, request, as: Netclode_V1_AgentCommand.self) {
                    backoff = .milliseconds(250)
                    refusals = 0
                    await handle(command)
                }
            } catch let error as ConnectError where error.code == .unauthenticated || error.code == .failedPrecondition {
                refusals += 1
                logger.warning("control plane refused the agent: \(error.message)")
                if refusals >= 5 { throw AgentError.rejected(error.message) }
            } catch {
                logger.info("channel to the control plane dropped: \(error); reconnecting")
            }
            if shuttingDown { break }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(5))
        }
        cloning?.cancel()
    }

    // MARK: Commands

    private func handle(_ command: Netclode_V1_AgentCommand) async {
        switch command.command {
        case .config(let config):
            await apply(config)
        case .credentials(let update):
            await credentials.update(repoCredentials(update))
            access = update.repoAccess
            report(.ack(.with { $0.commandID = command.id; $0.ok = true }))
        case .exec(let request):
            let id = command.id
            Task { await self.exec(request, commandID: id) }
        case .startProcess(let start):
            Task { await self.runProcess(start) }
        case .repoUpdate(let update):
            await apply(update, commandID: command.id)
        case .cancelProcess(let cancel):
            processes[cancel.processID]?.stop(.cancelled(cancel.reason))
        case .shutdown(let shutdown):
            logger.info("shutting down: \(shutdown.reason)")
            shuttingDown = true
        case nil:
            break
        }
    }

    /// The first config starts the clones; later ones (after a reconnect) only refresh settings.
    private func apply(_ config: Netclode_V1_AgentConfig) async {
        self.config = config
        if config.credentialMode == "proxy" {
            helper.proxy = GitProxyAccess(controlPlaneURL: controlPlaneHTTPURL, webURL: config.gitWebURL, credential: config.gitProxyCredential)
        }
        do {
            // The credential helper *command* (or, in proxy mode, the git proxy and its session
            // credential) and the commit identity; no GitHub token is ever written: git asks the
            // helper, which asks this process.
            try await helper.install(intoConfigFile: settings.home.appendingPathComponent(".gitconfig").path,
                                     identity: (config.gitUserName, config.gitUserEmail))
        } catch {
            logger.error("could not write the git configuration: \(error)")
        }
        guard cloning == nil else { return }
        let targets = self.targets
        let credentials = self.credentials
        let cloner = self.cloner
        cloning = Task {
            // The credentials follow the config on the channel; git must not ask before they are
            // here. Proxy mode has none to wait for.
            if !targets.isEmpty, config.credentialMode != "proxy", !(await credentials.waitForFirstUpdate(timeout: .seconds(30))) {
                self.logger.warning("no credentials arrived; cloning without them")
            }
            _ = await cloner.cloneAll(targets) { event in
                await self.report(.event(Netclode_V1_AgentEvent(event)))
            }
        }
    }

    /// What a command the session runs sees besides the agent's environment: git's credential
    /// helper, the egress proxy on an isolated network, and the session's token as `GITHUB_TOKEN`.
    func commandEnvironment() async -> [String: String] {
        var environment = helper.environment.merging(egressEnvironment) { $1 }
        if let token = await credentials.credentials.first?.token { environment["GITHUB_TOKEN"] = token }
        return environment
    }

    /// Clones into the workspace with the credential helper, redacting the tokens held.
    var cloner: RepositoryCloner {
        let credentials = self.credentials
        return RepositoryCloner(
            workspace: settings.workspace, credentials: helper, environment: egressEnvironment,
            options: .init(blobless: config?.blobless ?? false),
            knownSecrets: { await credentials.secrets }
        )
    }

    /// The repositories of the session, as the config describes them.
    var targets: [CloneTarget] {
        (config?.repos ?? []).map { CloneTarget(url: $0.url, owner: $0.owner, name: $0.name, directory: $0.directory) }
    }

    var knownSecrets: [String] {
        get async { await credentials.secrets }
    }

    var workspace: URL { settings.workspace }

    private func exec(_ request: Netclode_V1_ExecRequest, commandID: String) async {
        let secrets = await knownSecrets
        let environment = await commandEnvironment()
        var response = Netclode_V1_ExecResponse()
        do {
            let runner = CommandRunner(workspace: settings.workspace)
            let result = try await runner.run(
                request.command, workdir: request.workdir, environment: environment,
                timeout: .seconds(Int(max(request.timeoutSeconds, 1))), knownSecrets: secrets
            )
            response.exitCode = result.exitCode
            response.stdout = result.stdout
            response.stderr = result.stderr
            response.truncated = result.truncated
            if let hint = pushRefusalHint(result.stderr) { report(.event(hint)) }
        } catch {
            response.exitCode = 127
            response.stderr = "netclode: \(error)\n"
        }
        report(.execResult(.with { $0.commandID = commandID; $0.response = response }))
    }

    /// git's own message stays in the command's stderr; the session also learns why the push
    /// was refused and, for a read-only session, how to switch.
    func pushRefusalHint(_ stderr: String) -> Netclode_V1_AgentEvent? {
        guard let line = stderr.split(separator: "\n").first(where: { $0.contains("Permission to") && $0.contains("denied to") }) else {
            return nil
        }
        var event = Netclode_V1_AgentEvent()
        event.kind = "git"
        event.timestamp = Google_Protobuf_Timestamp(seconds: Int64(Date().timeIntervalSince1970), nanos: 0)
        event.stage = "error"
        let id = settings.sessionID
        event.message = access == "read"
            ? "Permission denied: session \(id) is read-only, so pushes are refused. Switch it to write with `netclode session access \(id) write` and push again."
            : "Permission denied by GitHub: \(line.trimmingCharacters(in: .whitespaces))"
        return event
    }

    // MARK: Helpers

    /// Queues a report; ``sendReports()`` delivers it after every earlier one.
    func report(_ body: Netclode_V1_AgentReport.OneOf_Report) {
        outbox.post(body)
    }

    private func sendReports() async {
        while let body = await outbox.next() {
            await send(body)
        }
    }

    /// Sends a report, retrying briefly: an event or a reply lost to a blip would leave the
    /// control plane waiting.
    private func send(_ body: Netclode_V1_AgentReport.OneOf_Report) async {
        var report = Netclode_V1_AgentReport()
        report.sessionID = settings.sessionID
        report.report = body
        for attempt in 1...5 {
            do {
                _ = try await client.unary(Self.reportMethod, report, as: Netclode_V1_AgentReportResponse.self, timeout: .seconds(10))
                return
            } catch {
                logger.warning("report failed (attempt \(attempt)): \(error)")
                try? await Task.sleep(for: .milliseconds(200 * attempt))
            }
        }
    }

    private func repoCredentials(_ update: Netclode_V1_Credentials) -> [RepoCredential] {
        let host = config?.repos.first.flatMap { RepoCredential.host(ofURL: $0.url) }
            ?? settings.repositoryURLs.first.flatMap { RepoCredential.host(ofURL: $0) } ?? ""
        return update.tokens.map { token in
            RepoCredential(
                host: host, owner: token.owner,
                repositories: token.repos.map { $0.split(separator: "/").last.map(String.init) ?? $0 },
                token: token.token, expiresAt: token.hasExpiresAt ? token.expiresAt.date : nil
            )
        }
    }
}
