import SwiftProtobuf
import Foundation
import GitHubApp
import Logging
import NetclodeProto
import Sandbox
import Storage

/// Owns every session: its state transitions, its sandbox, its tokens, its event history and its
/// watchers.
///
/// All session state lives in this actor. Because its operations suspend (a mint, a sandbox start,
/// an agent's acknowledgement), operations that change one session also take that session's turn
/// (SessionManager+Operations.swift), and record changes apply to the latest record
/// (``update(_:publish:_:)``), so two requests about one session never interleave their effects. Tokens are held by the ``TokenBroker`` (memory only); the store sees
/// session records and events, never a token.
public actor SessionManager {
    public struct Options: Sendable {
        /// `NETCLODE_AGENT_CALLBACK_URL`: where agents dial back to, e.g. the control plane's
        /// Service in a cluster; nil: the address the API is bound to (agents on this host).
        public var agentCallbackURL: URL?
        /// How long an agent has to acknowledge a credential update.
        public var acknowledgementTimeout: Duration
        public var defaultExecTimeout: Duration
        public var maximumExecTimeout: Duration
        /// Sandboxes starting at once (see ``StartLimiter``); `NETCLODE_MAX_CONCURRENT_STARTS`.
        public var maxConcurrentStarts: Int
        /// Starts that may wait for a slot before new sessions are refused; `NETCLODE_MAX_QUEUED_STARTS`.
        public var maxQueuedStarts: Int
        /// A start whose agent has not attached by then gives its slot up anyway.
        public var startSlotTimeout: Duration
        /// Live items a watcher may fall behind by before its watch is closed (see ``WatchInbox``).
        public var watcherInboxCapacity: Int
        /// The agent command, timeouts and output cap of runs (``RunSettings``).
        public var runs: RunSettings
        /// The credential mode of sessions that do not choose one (`NETCLODE_CREDENTIAL_MODE`).
        public var credentialMode: CredentialMode
        /// `NETCLODE_SANDBOX_NETWORK`; nil: chosen per session (``sandboxNetwork(for:)``).
        public var sandboxNetwork: SandboxNetwork?
        /// `NETCLODE_EGRESS_ALLOW`, for sandboxes on an isolated network.
        public var egressAllow: EgressAllowList
        /// The control plane's sandbox listener (a Unix socket), bound into sandboxes on an
        /// isolated network; nil when the server does not run one.
        public var sandboxSocket: String?

        public init(agentCallbackURL: URL? = nil, acknowledgementTimeout: Duration = .seconds(10), defaultExecTimeout: Duration = .seconds(120), maximumExecTimeout: Duration = .seconds(3600),
                    maxConcurrentStarts: Int = ControlPlaneSettings.defaultMaxConcurrentStarts, maxQueuedStarts: Int = ControlPlaneSettings.defaultMaxQueuedStarts,
                    startSlotTimeout: Duration = .seconds(60), watcherInboxCapacity: Int = 10_000, runs: RunSettings = RunSettings(),
                    credentialMode: CredentialMode = .proxy, sandboxNetwork: SandboxNetwork? = nil, egressAllow: EgressAllowList = .anyPublicHost, sandboxSocket: String? = nil) {
            self.agentCallbackURL = agentCallbackURL
            self.acknowledgementTimeout = acknowledgementTimeout
            self.defaultExecTimeout = defaultExecTimeout
            self.maximumExecTimeout = maximumExecTimeout
            self.maxConcurrentStarts = maxConcurrentStarts
            self.maxQueuedStarts = maxQueuedStarts
            self.startSlotTimeout = startSlotTimeout
            self.watcherInboxCapacity = watcherInboxCapacity
            self.runs = runs
            self.credentialMode = credentialMode
            self.sandboxNetwork = sandboxNetwork
            self.egressAllow = egressAllow
            self.sandboxSocket = sandboxSocket
        }
    }

    let store: any SessionStore
    let runtime: any SandboxRuntime
    public nonisolated let github: GitHubAccess
    let options: Options
    let logger: Logger
    let agents = AgentConnections()
    let hub: SessionEventHub
    let starts: StartLimiter
    /// Every session. Changes go through ``update(_:publish:_:)``, which applies them to the
    /// latest record and persists the result, so a change never overwrites another one made
    /// while it was waiting.
    var records: [String: SessionRecord] = [:]
    /// The last event append of each session still being stored or published (see `appendInOrder`).
    var eventAppends: [String: Task<Void, any Error>] = [:]
    /// The last record write of each session still being stored (see `persist`).
    var recordWrites: [String: Task<Void, any Error>] = [:]
    /// Sessions whose sandbox we are stopping on purpose: their exit is not an error.
    var stopping: Set<String> = []
    var controlPlaneURL: URL?
    /// Sessions with an operation (create, resume, pause, delete, access change, refresh
    /// delivery, restore) running, and the operations waiting for them (SessionManager+Operations.swift).
    var busySessions: Set<String> = []
    let sessionWaiters = WaitQueue<String, Void>()
    /// Set when shutdown begins: new operations are refused and shutdown waits for running ones.
    var isShuttingDown = false
    var operationsInFlight = 0
    /// Shutdown waiting for `operationsInFlight` to reach zero (the tag is unused).
    let drainWaiters = WaitQueue<Bool, Void>()
    /// How far restoring the stored sessions has got (SessionManager+Lifecycle.swift).
    var restore = RestoreProgress()
    var restoreTask: Task<Void, Never>?
    /// Agent reports allowed per session (see ``ReportBudget``).
    var reportBudgets: [String: ReportBudget] = [:]
    /// Where this manager's counts go (see SessionManager+Observability.swift).
    public let metrics: ServerMetrics
    /// When each repository's clone started (its `starting` event arrived), until `done` or `error`.
    var cloneStarts: [CloneKey: ContinuousClock.Instant] = [:]
    /// The run in progress of each session, and the `RunPrompt`s queued behind it (Runs/).
    var runs: [String: ActiveRun] = [:]
    let runWaiters = WaitQueue<String, Void>()
    /// Run output bytes in each session's history, once known, and the sessions whose oldest
    /// output is being dropped (Runs/OutputCap.swift).
    var outputBytes: [String: Int] = [:]
    var trimmingOutput: Set<String> = []
    /// `ExecStream`s in progress by process id: the session and the caller's inbox.
    var execStreams: [String: (sessionID: String, inbox: WatchInbox)] = [:]
    /// Sandbox starts of created sessions still under way after `CreateSession` answered.
    var pendingStarts: [String: Task<Void, Never>] = [:]
    /// Reads the runtime's ``SandboxRuntime/events`` from ``start(controlPlaneURL:)`` on.
    var runtimeEvents: Task<Void, Never>?
    /// Adoptions of sandboxes that outlived the previous control plane, until their agent may
    /// attach (tokens leased, secret digest registered); an attach waits for its session's.
    var adoptions: [String: Task<Void, Never>] = [:]
    /// Who commits in the sandboxes: the App's bot account, looked up once.
    let commitIdentity: CommitIdentity
    /// Set when this is one of several replicas (Replicas/): then `records` holds only the
    /// sessions whose lease this replica holds, and the others are read from the store.
    let replica: ReplicaRole?
    /// When this replica took each session it holds (created or took over): a lease renewal
    /// that began earlier may not list it yet.
    var heldSince: [String: ContinuousClock.Instant] = [:]
    /// Events and snapshots of sessions other replicas run, for the watchers here.
    var feed: ReplicaFeed?
    /// Renews the leases and takes lapsed sessions over (``runLeases(_:)``).
    var leaseTask: Task<Void, Never>?

    public init(store: any SessionStore, runtime: any SandboxRuntime, github: GitHubAccess, options: Options, logger: Logger,
                metrics: ServerMetrics = ServerMetrics(), replica: ReplicaRole? = nil) {
        self.replica = replica
        self.store = store
        self.runtime = runtime
        self.github = github
        self.options = options
        self.logger = logger
        self.metrics = metrics
        self.hub = SessionEventHub(inboxCapacity: options.watcherInboxCapacity)
        self.starts = StartLimiter(limit: options.maxConcurrentStarts, queueLimit: options.maxQueuedStarts, slotTimeout: options.startSlotTimeout)
        self.commitIdentity = CommitIdentity(github: github)
    }

    // MARK: API

    /// Validates, reserves a start slot, mints the session's tokens and stores it, then answers
    /// with status `creating`: the sandbox starts in the background (``finishCreate(_:)``).
    ///
    /// Everything a caller can get wrong is still answered by this call (`Repository not found`,
    /// `GitHub App not configured`, a full start queue, a runtime that cannot start sandboxes at
    /// all), and a refusal leaves nothing behind. What can only fail later, the sandbox process
    /// itself, becomes status `error` with the reason and an `error` event.
    public func createSession(_ request: Netclode_V1_CreateSessionRequest) async throws(ControlPlaneError) -> Netclode_V1_Session {
        let input = try CreateSessionInput(request, webURL: github.endpoints.webURL, runs: options.runs, credentialMode: options.credentialMode)
        if replica != nil, runtime.sandboxesOutliveControlPlane, input.credentialMode == .proxy {
            throw .failedPrecondition("credentialMode proxy is not available here: " + ControlPlaneSettings.kubernetesReplicasNeedTokenMode)
        }
        if !input.repositories.isEmpty, case .notConfigured(let error, _) = github {
            throw .failedPrecondition(error.message)
        }
        do {
            try await runtime.checkCanStart()
        } catch {
            throw Self.controlPlaneError(error)
        }
        guard controlPlaneURL != nil else { throw .unavailable("the control plane is not listening yet") }
        let id = Identifiers.sessionID()
        let now = Date.nowToTheMillisecond
        var record = SessionRecord(
            id: id, name: input.name.isEmpty ? id : input.name, status: SessionStatus.creating.rawValue,
            repos: input.repositories.map { $0.cloneURL(webURL: github.endpoints.webURL).absoluteString },
            repoAccess: input.access?.rawValue, blobless: input.blobless, repoStatus: [],
            createdAt: now, updatedAt: now, error: nil,
            agentCommand: input.agentCommand?.arguments ?? [], gitAuthor: input.gitAuthor?.description,
            credentialMode: input.credentialMode.rawValue, pushPolicy: input.pushPolicy.record
        )
        // A single repository is cloned into the workspace root, and stays there if more are added.
        record.rootRepo = record.repos.count == 1 ? record.repos[0] : nil
        try await exclusively(id) { () async throws(ControlPlaneError) in
            // Refused for lack of a start slot: nothing was made yet.
            try await starts.reserve(id)
            do {
                try await leaseTokens(record, repositories: input.repositories)
                if let replica {
                    try await replica.leases.insertSession(record.stored(webURL: github.endpoints.webURL), leasedTo: replica.lease)
                    heldSince[id] = .now
                } else {
                    try await store.insertSession(record.stored(webURL: github.endpoints.webURL))
                }
                records[id] = record
            } catch {
                await discard(id)
                throw Self.controlPlaneError(error)
            }
        }
        sessionLogger(id).info("session created", metadata: ["repos": "\(record.repos.count)", "access": "\(record.repoAccess ?? "-")"])
        pendingStarts[id] = Task { [weak self] in await self?.finishCreate(id) }
        return record.wire
    }

    /// Starts a created session's sandbox once its reserved start slot is free, in the session's
    /// turn. A failed start stops whatever was started, revokes the tokens and leaves the session in
    /// `error` with the reason, in its record and as an `error` event.
    private func finishCreate(_ id: String) async {
        defer { pendingStarts[id] = nil }
        do {
            try await exclusively(id) { () async throws(ControlPlaneError) in
                // A pause or delete that ran first cancelled this start.
                guard !Task.isCancelled, let record = records[id], record.sessionStatus == .creating else {
                    await starts.release(id)
                    return
                }
                do {
                    try await starts.acquire(id, queueing: .unbounded)
                    try await launchSandbox(record)
                } catch {
                    await stopSandbox(id, reason: "start failed")
                    guard !Task.isCancelled else { return }
                    let message = "the sandbox could not start: \(Self.describe(error))"
                    sessionLogger(id).error("session start failed", metadata: ["error": "\(error)"])
                    try? await self.record(.now(kind: "error") { $0.message = message }, for: id)
                    try await setStatus(id, .error, error: message)
                }
            }
        } catch {
            await starts.release(id)  // shutting down, or cancelled while it waited for its turn
        }
    }

    /// Stops a start that `CreateSession` left running in the background (pause and delete come
    /// first; shutdown stops them all).
    func cancelPendingStart(_ id: String) {
        pendingStarts[id]?.cancel()
    }

    public func session(_ id: String) async throws(ControlPlaneError) -> Netclode_V1_Session {
        try await existing(id).wire
    }

    /// Stops the sandbox, revokes the tokens and removes the session directory. The record and its
    /// event history are kept with status `deleted`; deleting again is not an error.
    public func deleteSession(_ id: String) async throws(ControlPlaneError) -> Netclode_V1_Session {
        _ = try await existing(id)
        cancelPendingStart(id)
        return try await exclusively(id) { () async throws(ControlPlaneError) in
            let record = try await existing(id)
            guard record.sessionStatus != .deleted else { return record.wire }
            await stopSandbox(id, reason: "session deleted")
            do { try await runtime.remove(sessionID: id) } catch { sessionLogger(id).warning("removing the session directory failed: \(error)") }
            try await setStatus(id, .deleted)
            await letGoOfDeleted(id)
            await hub.finish(id)
            reportBudgets[id] = nil
            outputBytes[id] = nil
            return try await existing(id).wire
        }
    }

    // MARK: Internals shared by the extensions

    /// The record of `id` (as stored, for a session another replica runs), or `not_found`.
    func existing(_ id: String) async throws(ControlPlaneError) -> SessionRecord {
        guard !id.isEmpty else { throw .invalidArgument("sessionId is required") }
        if let record = records[id] { return record }
        if replica != nil {
            do {
                if let stored = try await store.session(id: id) { return stored.loaded(webURL: github.endpoints.webURL) }
            } catch {
                throw .unavailable("could not read session \"\(id)\": \(error)")
            }
        }
        throw .notFound("session \"\(id)\" not found")
    }

    /// Mints the session's tokens (if it has repositories) and starts its sandbox with a fresh
    /// agent secret. The caller holds the session's start slot (see ``StartLimiter``), which is
    /// given back when the agent attaches; on failure the caller gives it back (``discard(_:)``
    /// and ``stopSandbox(_:reason:)`` do).
    func startSandbox(_ record: SessionRecord) async throws {
        try await leaseTokens(record)
        try await launchSandbox(record)
    }

    /// Mints the tokens of `record`'s repositories (parsed again unless given) and schedules their
    /// refreshes; nothing for a session without repositories.
    func leaseTokens(_ record: SessionRecord, repositories: [RepositoryReference]? = nil) async throws {
        guard !record.repos.isEmpty else { return }
        guard let broker = github.broker else {
            if case .notConfigured(let error, _) = github { throw ControlPlaneError.failedPrecondition(error.message) }
            throw ControlPlaneError.failedPrecondition("GitHub App not configured")
        }
        let id = record.id
        let repos = try repositories ?? record.repos.map { try RepositoryReference.parse($0, webURL: github.endpoints.webURL) }
        let access = RepoAccess(rawValue: record.repoAccess ?? "") ?? .default
        try await broker.lease(session: id, repositories: repos, access: access) { [weak self] renewal in
            try await self?.deliver(renewal, to: id)
        }
    }

    /// Starts the sandbox process of `record`, whose tokens are leased, with a fresh agent secret.
    /// The sandbox keeps the secret's SHA-256 (never the secret) as an annotation, so that a later
    /// control plane that adopts it can check its agent.
    func launchSandbox(_ record: SessionRecord) async throws {
        let id = record.id
        guard let controlPlaneURL else { throw ControlPlaneError.unavailable("the control plane is not listening yet") }
        let secret = Identifiers.agentSecret()
        await agents.register(sessionID: id, secret: secret,
                              gitCredential: record.mode == .proxy ? Identifiers.gitProxyCredential() : nil)
        let spec = SandboxSpec(
            sessionID: id, arguments: ["agent"],
            environment: [
                "NETCLODE_CONTROL_PLANE_URL": (options.agentCallbackURL ?? controlPlaneURL).absoluteString,
                "NETCLODE_SESSION_ID": id,
                "NETCLODE_AGENT_SECRET": secret,
                "GIT_REPOS": Self.jsonArray(record.repos),
            ],
            network: sandboxNetwork(for: record),
            controlPlaneSocket: options.sandboxSocket,
            egress: EgressPolicy(
                allowList: options.egressAllow,
                protectedEndpoints: ProtectedEndpoint.listening(
                    host: controlPlaneURL.host ?? "", port: controlPlaneURL.port ?? 80, name: "the control plane's API")),
            annotations: [Self.agentSecretDigestAnnotation: TokenDigest.of(secret)]
        )
        stopping.remove(id)
        _ = try await runtime.start(spec)
    }

    /// The network `record`'s sandbox gets: `NETCLODE_SANDBOX_NETWORK` when set, else `isolated`
    /// for `proxy` sessions (no token in the sandbox, git through the sandbox listener) and `host`
    /// for `token` sessions (git talks to GitHub itself, which an isolated sandbox cannot reach).
    func sandboxNetwork(for record: SessionRecord) -> SandboxNetwork {
        options.sandboxNetwork ?? (record.mode == .proxy ? .isolated : .host)
    }

    /// Undoes a half-made session: no record, no tokens, no sandbox, no directory.
    func discard(_ id: String) async {
        stopping.insert(id)
        await runtime.stop(sessionID: id, grace: .seconds(1))
        try? await runtime.remove(sessionID: id)
        await github.broker?.revoke(session: id)
        await agents.unregister(sessionID: id)
        try? await store.deleteSession(id: id)
        records[id] = nil
        stopping.remove(id)
        await starts.release(id)
    }

    /// Changes a session's status, persists it and tells its watchers.
    func setStatus(_ id: String, _ status: SessionStatus, error: String? = nil) async throws(ControlPlaneError) {
        guard let record = records[id] else { return }
        let error = status == .error ? error : nil
        guard record.status != status.rawValue || record.error != error else { return }
        try await update(id) { record in
            record.status = status.rawValue
            record.error = error
        }
    }

    /// Applies `change` to the latest record of `id`, persists it stamped with a new `updatedAt`,
    /// and (unless `publish` is false) tells the watchers; returns the record as it is now.
    ///
    /// The change is applied before the first suspension, to the record as it is at that moment,
    /// so an operation that awaited (a mint, an agent's acknowledgement) changes only what it means
    /// to change: a clone that finished meanwhile keeps its `done`.
    @discardableResult
    func update(_ id: String, publish: Bool = true, _ change: (inout SessionRecord) -> Void) async throws(ControlPlaneError) -> SessionRecord {
        guard var record = records[id] else {
            if replica != nil { throw .unavailable("session \"\(id)\" is run by another control-plane replica now; try again") }
            throw .notFound("session \"\(id)\" not found")
        }
        change(&record)
        record.updatedAt = .nowToTheMillisecond
        records[id] = record
        try await persist(record)
        // Watchers get the newest state, which may already include a later change.
        let latest = records[id] ?? record
        if publish { await hub.publish(id, .sessionUpdated(latest.wire)) }
        return latest
    }

    /// Stores `record` after the session's previous write has been stored: writes are issued in
    /// the order the changes were made, so the store always ends with the newest state even when
    /// the awaits resume in another order.
    private func persist(_ record: SessionRecord) async throws(ControlPlaneError) {
        let previous = recordWrites[record.id]
        let store = self.store
        let replica = self.replica
        let stored = record.stored(webURL: github.endpoints.webURL)
        let write = Task {
            _ = await previous?.result
            // A replica writes only while it holds the lease: one that lost the session cannot
            // overwrite what the new holder wrote.
            if let replica { try await replica.leases.updateSession(stored, leasedTo: replica.lease) } else { try await store.updateSession(stored) }
        }
        recordWrites[record.id] = write
        let result = await write.result
        if recordWrites[record.id] == write { recordWrites[record.id] = nil }
        if case .failure(let error) = result {
            if case StorageError.notLeaseHolder = error {
                Task { await self.relinquish(record.id, because: "another replica holds its lease") }
                throw .unavailable("session \(record.id) is run by another control-plane replica now; try again")
            }
            throw .internal("could not save session \(record.id): \(error)")
        }
    }

    /// The annotation holding the SHA-256 of the agent's secret (see ``launchSandbox(_:)``).
    static let agentSecretDigestAnnotation = "agent-secret-sha256"

    /// The runtime saw a sandbox end or fail without anybody asking: the session fails with the
    /// runtime's reason (an exit code, or the platform's word such as `OOMKilled`), its tokens go,
    /// and whatever is left of the sandbox is stopped (a failed Pod is deleted; the workspace is
    /// kept for a resume).
    func sandboxEnded(_ id: String, _ event: SandboxEvent) async {
        let (summary, message): (String, String)
        switch event {
        case .exited(_, let code):
            summary = "the agent exited unexpectedly (exit code \(code))"
            message = "\(summary); see the agent log"
        case .failed(_, let reason, let detail):
            summary = "the sandbox failed (\(reason))"
            message = "the sandbox failed (\(reason)): \(detail)"
        case .egressRefused:
            return
        }
        await starts.release(id)
        guard !stopping.contains(id), !isShuttingDown else { return }
        try? await exclusively(id) { () async throws(ControlPlaneError) in
            // Re-checked in turn: a pause or delete that ran meanwhile stopped it on purpose.
            guard !stopping.contains(id), let record = records[id], record.sessionStatus.wantsSandbox else { return }
            if case .running = await runtime.status(sessionID: id) { return }  // a resume started a new one
            sessionLogger(id).error("sandbox ended unexpectedly", metadata: ["reason": "\(summary)"])
            await endRuns(of: id, because: summary)
            await github.broker?.revoke(session: id)
            await agents.unregister(sessionID: id)
            stopping.insert(id)
            await runtime.stop(sessionID: id, grace: .zero)
            stopping.remove(id)
            try await setStatus(id, .error, error: message)
        }
    }

    static func controlPlaneError(_ error: any Error) -> ControlPlaneError {
        switch error {
        case let error as ControlPlaneError: error
        case let error as GitHubError: ControlPlaneError(error)
        case let error as RepositoryReferenceError: .invalidArgument(error.message)
        default: .unavailable(describe(error))
        }
    }

    static func describe(_ error: any Error) -> String {
        (error as? GitHubError)?.message ?? (error as? ControlPlaneError)?.message ?? String(describing: error)
    }

    static func jsonArray(_ strings: [String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: strings, options: [.withoutEscapingSlashes])) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

extension Date {
    /// Now, rounded to what the store keeps, so a restored session prints the same times.
    static var nowToTheMillisecond: Date {
        Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded() / 1000)
    }
}
