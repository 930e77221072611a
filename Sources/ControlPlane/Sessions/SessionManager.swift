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
/// All session state changes go through this actor, so two requests about one session never
/// interleave their writes. Tokens are held by the ``TokenBroker`` (memory only); the store sees
/// session records and events, never a token.
public actor SessionManager {
    public struct Options: Sendable {
        /// The binary started as `netclode agent` in each sandbox.
        public var agentExecutable: String
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

        public init(agentExecutable: String, acknowledgementTimeout: Duration = .seconds(10), defaultExecTimeout: Duration = .seconds(120), maximumExecTimeout: Duration = .seconds(3600),
                    maxConcurrentStarts: Int = ControlPlaneSettings.defaultMaxConcurrentStarts, maxQueuedStarts: Int = ControlPlaneSettings.defaultMaxQueuedStarts,
                    startSlotTimeout: Duration = .seconds(60)) {
            self.agentExecutable = agentExecutable
            self.acknowledgementTimeout = acknowledgementTimeout
            self.defaultExecTimeout = defaultExecTimeout
            self.maximumExecTimeout = maximumExecTimeout
            self.maxConcurrentStarts = maxConcurrentStarts
            self.maxQueuedStarts = maxQueuedStarts
            self.startSlotTimeout = startSlotTimeout
        }
    }

    let store: any SessionStore
    let runtime: any SandboxRuntime
    let github: GitHubAccess
    let options: Options
    let logger: Logger
    let agents = AgentConnections()
    let hub = SessionEventHub()
    let starts: StartLimiter
    var records: [String: SessionRecord] = [:]
    /// The last event append of each session still being stored or published (see `appendInOrder`).
    var eventAppends: [String: Task<Int64, any Error>] = [:]
    /// Sessions whose sandbox we are stopping on purpose: their exit is not an error.
    var stopping: Set<String> = []
    var controlPlaneURL: URL?
    /// Sessions with an access update in progress, and the updates waiting for it (in order).
    var accessUpdatesRunning: Set<String> = []
    var accessUpdateWaiters: [String: [CheckedContinuation<Void, Never>]] = [:]
    /// Where this manager's counts go (see SessionManager+Observability.swift).
    public let metrics: ServerMetrics
    /// When each repository's clone started (its `starting` event arrived), until `done` or `error`.
    var cloneStarts: [CloneKey: ContinuousClock.Instant] = [:]

    public init(store: any SessionStore, runtime: any SandboxRuntime, github: GitHubAccess, options: Options, logger: Logger, metrics: ServerMetrics = ServerMetrics()) {
        self.store = store
        self.runtime = runtime
        self.github = github
        self.options = options
        self.logger = logger
        self.metrics = metrics
        self.starts = StartLimiter(limit: options.maxConcurrentStarts, queueLimit: options.maxQueuedStarts, slotTimeout: options.startSlotTimeout)
    }

    // MARK: Lifecycle

    /// Called once the API listens: agents can dial back from now on. Loads every stored session
    /// and gives the ones that were running their sandbox back, with freshly minted tokens.
    public func start(controlPlaneURL: URL) async throws {
        self.controlPlaneURL = controlPlaneURL
        await runtime.onExit { [weak self] sessionID, code in
            await self?.sandboxExited(sessionID, code: code)
        }
        for record in try await store.sessions() {
            records[record.id] = record
            guard record.sessionStatus.wantsSandbox else { continue }
            do {
                try await launch(record, queueing: .unbounded)
                sessionLogger(record.id).info("session restored")
            } catch {
                sessionLogger(record.id).error("session could not be restored", metadata: ["error": "\(error)"])
                try? await setStatus(record.id, .error, error: "could not restart after a control-plane restart: \(Self.describe(error))")
            }
        }
    }

    /// Graceful shutdown: agents are told, sandboxes stopped, tokens revoked, the store closed.
    /// Session statuses are left as they are, so the next start restores them.
    public func shutdown() async {
        for id in records.keys where await agents.isAttached(id) {
            await agents.send(sessionID: id, .make(.shutdown(.with { $0.reason = "control plane shutting down" })))
        }
        stopping.formUnion(records.keys)
        await runtime.stopAll(grace: .seconds(3))
        await agents.closeAll()
        await hub.finishAll()
        await github.broker?.shutdown()
        do { try await store.close() } catch { logger.error("closing the store failed: \(error)") }
    }

    // MARK: API

    public func createSession(_ request: Netclode_V1_CreateSessionRequest) async throws(ControlPlaneError) -> Netclode_V1_Session {
        let input = try CreateSessionInput(request, webURL: github.endpoints.webURL)
        if !input.repositories.isEmpty, case .notConfigured(let error, _) = github {
            throw .failedPrecondition(error.message)
        }
        let id = Identifiers.sessionID()
        let now = Date.nowToTheMillisecond
        let record = SessionRecord(
            id: id, name: input.name.isEmpty ? id : input.name, status: SessionStatus.creating.rawValue,
            repos: input.repositories.map { $0.cloneURL(webURL: github.endpoints.webURL).absoluteString },
            repoAccess: input.access?.rawValue, blobless: input.blobless, repoStatus: [],
            createdAt: now, updatedAt: now, error: nil
        )
        do {
            try await launch(record, repositories: input.repositories, insert: true)
        } catch {
            await discard(id)
            throw Self.controlPlaneError(error)
        }
        sessionLogger(id).info("session created", metadata: ["repos": "\(record.repos.count)", "access": "\(record.repoAccess ?? "-")"])
        return records[id]?.wire ?? record.wire
    }

    public func session(_ id: String) async throws(ControlPlaneError) -> Netclode_V1_Session {
        try await existing(id).wire
    }

    public func sessions() -> [Netclode_V1_Session] {
        records.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }.map(\.wire)
    }

    /// Stops the sandbox, revokes the tokens and removes the session directory. The record and its
    /// event history are kept with status `deleted`; deleting again is not an error.
    public func deleteSession(_ id: String) async throws(ControlPlaneError) -> Netclode_V1_Session {
        let record = try await existing(id)
        guard record.sessionStatus != .deleted else { return record.wire }
        await stopSandbox(id, reason: "session deleted")
        do { try await runtime.remove(sessionID: id) } catch { sessionLogger(id).warning("removing the session directory failed: \(error)") }
        try await setStatus(id, .deleted)
        await hub.finish(id)
        return records[id]?.wire ?? record.wire
    }

    // MARK: Internals shared by the extensions

    /// The record of `id`, or `not_found`.
    func existing(_ id: String) async throws(ControlPlaneError) -> SessionRecord {
        guard !id.isEmpty else { throw .invalidArgument("sessionId is required") }
        guard let record = records[id] else { throw .notFound("session \"\(id)\" not found") }
        return record
    }

    /// Waits for a start slot (see ``StartLimiter``), mints the session's tokens (if it has
    /// repositories), persists it if new, and starts its sandbox with a fresh agent secret. The slot
    /// is held until the agent attaches; a failed launch gives it back.
    func launch(_ record: SessionRecord, repositories: [RepositoryReference]? = nil, insert: Bool = false, queueing: StartLimiter.Queueing = .bounded) async throws {
        try await starts.acquire(record.id, queueing: queueing)
        do {
            try await launchHoldingSlot(record, repositories: repositories, insert: insert)
        } catch {
            await starts.release(record.id)
            throw error
        }
    }

    private func launchHoldingSlot(_ record: SessionRecord, repositories: [RepositoryReference]?, insert: Bool) async throws {
        let id = record.id
        if !record.repos.isEmpty {
            guard let broker = github.broker else {
                if case .notConfigured(let error, _) = github { throw ControlPlaneError.failedPrecondition(error.message) }
                throw ControlPlaneError.failedPrecondition("GitHub App not configured")
            }
            let repos = try repositories ?? record.repos.map { try RepositoryReference.parse($0, webURL: github.endpoints.webURL) }
            let access = RepoAccess(rawValue: record.repoAccess ?? "") ?? .default
            try await broker.lease(session: id, repositories: repos, access: access) { [weak self] renewal in
                try await self?.deliver(renewal, to: id)
            }
        }
        if insert { try await store.insertSession(record) }
        records[id] = record
        let secret = Identifiers.agentSecret()
        await agents.register(sessionID: id, secret: secret)
        guard let controlPlaneURL else { throw ControlPlaneError.unavailable("the control plane is not listening yet") }
        let spec = SandboxSpec(
            sessionID: id, executable: options.agentExecutable, arguments: ["agent"],
            environment: [
                "NETCLODE_CONTROL_PLANE_URL": controlPlaneURL.absoluteString,
                "NETCLODE_SESSION_ID": id,
                "NETCLODE_AGENT_SECRET": secret,
                "GIT_REPOS": Self.jsonArray(record.repos),
            ]
        )
        stopping.remove(id)
        _ = try await runtime.start(spec)
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
        guard var record = records[id] else { return }
        guard record.status != status.rawValue || record.error != error else { return }
        record.status = status.rawValue
        record.error = status == .error ? error : nil
        let saved = try await save(record)
        await hub.publish(id, .sessionUpdated(saved.wire))
    }

    /// Persists `record` stamped with a new `updatedAt`, and returns what was stored.
    @discardableResult
    func save(_ record: SessionRecord) async throws(ControlPlaneError) -> SessionRecord {
        var record = record
        record.updatedAt = .nowToTheMillisecond
        do { try await store.updateSession(record) } catch {
            throw .internal("could not save session \(record.id): \(error)")
        }
        records[record.id] = record
        return record
    }

    private func sandboxExited(_ id: String, code: Int32) async {
        await starts.release(id)
        guard !stopping.contains(id), let record = records[id], record.sessionStatus.wantsSandbox else { return }
        sessionLogger(id).error("agent exited unexpectedly", metadata: ["code": "\(code)"])
        await github.broker?.revoke(session: id)
        try? await setStatus(id, .error, error: "the agent exited unexpectedly (exit code \(code)); see the agent log")
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

    private static func jsonArray(_ strings: [String]) -> String {
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
