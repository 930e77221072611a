import SwiftProtobuf
import Logging
import Foundation
import GitHubApp
import NetclodeProto
import Storage

/// The agent channel: attaching, reports, and credential delivery.
extension SessionManager {
    /// An agent dialled back. Checks its secret (useless for any other session) and opens its
    /// command stream, which starts with the session's config and current credentials.
    public func attachAgent(sessionID: String, secret: String) async throws(ControlPlaneError) -> AsyncStream<Netclode_V1_AgentCommand> {
        guard await verifyAgent(sessionID: sessionID, secret: secret) else {
            throw .unauthenticated("invalid agent credentials for session \"\(sessionID)\"")
        }
        let record = try await existing(sessionID)
        guard record.sessionStatus.wantsSandbox else {
            throw .failedPrecondition("session \(sessionID) is \(record.status)")
        }
        var initial: [Netclode_V1_AgentCommand] = [.make(.config(await agentConfig(for: record)))]
        if let credentials = await currentCredentials(sessionID) { initial.append(.make(.credentials(credentials))) }
        let stream = await agents.attach(sessionID: sessionID, initial: initial)
        await starts.release(sessionID)  // started: the next queued sandbox may start
        sessionLogger(sessionID).info("agent attached")
        // Decided on the latest record: a pause or delete may have run while this attach awaited.
        if records[sessionID]?.sessionStatus == .creating {
            try await setStatus(sessionID, record.repos.isEmpty ? .ready : .cloning)
        }
        return stream
    }

    /// Whether `secret` is the agent secret of `sessionID`'s sandbox. An agent whose sandbox is
    /// being adopted after a restart dials in as soon as the API listens: it waits for the
    /// adoption to register its digest rather than being refused.
    private func verifyAgent(sessionID: String, secret: String) async -> Bool {
        if let adoption = adoptions[sessionID] { await adoption.value }
        return await agents.verify(sessionID: sessionID, secret: secret)
    }

    /// A report from an agent: an event to record, or the reply to a command.
    public func handleReport(_ report: Netclode_V1_AgentReport, secret: String) async throws(ControlPlaneError) {
        guard await verifyAgent(sessionID: report.sessionID, secret: secret) else {
            throw .unauthenticated("invalid agent credentials for session \"\(report.sessionID)\"")
        }
        switch report.report {
        case .event(let event):
            try admit(event, from: report.sessionID)
            try await route(event, from: report.sessionID)
        case .events(let batch):
            // All admitted before any is recorded: a refused batch leaves nothing behind, so the
            // agent's retry does not repeat half of it.
            for event in batch.events { try admit(event, from: report.sessionID) }
            // Consecutive events bound for the history are stored with one write (run output
            // apart, as it counts against the output cap); the rest go one by one.
            var pending: [Netclode_V1_AgentEvent] = []
            for event in batch.events {
                if let last = pending.last, HistoryWrite(last) != HistoryWrite(event) {
                    try await store(pending, from: report.sessionID)
                    pending = []
                }
                if HistoryWrite(event) == nil {
                    try await route(event, from: report.sessionID)
                } else {
                    pending.append(event)
                }
            }
            try await store(pending, from: report.sessionID)
        case .ack(let ack): await agents.resolve(commandID: ack.commandID, .ack(ack))
        case .execResult(let result): await agents.resolve(commandID: result.commandID, .execResult(result.response))
        case nil: throw .invalidArgument("report is empty")
        }
    }

    /// Which stored events of a batch can share one write: plain events, or run output (which
    /// counts against the output cap); nil for the rest (a run's start or end, an exec stream's
    /// output), which are handled one by one.
    private enum HistoryWrite: Equatable {
        case plain
        case runOutput

        init?(_ event: Netclode_V1_AgentEvent) {
            switch event.kind {
            case ProcessEventKind.agentOutput: self = .runOutput
            case ProcessEventKind.run, ProcessEventKind.execOutput, ProcessEventKind.exec: return nil
            default: self = .plain
            }
        }
    }

    /// Stores consecutive events of one ``HistoryWrite`` kind with one write.
    private func store(_ events: [Netclode_V1_AgentEvent], from sessionID: String) async throws(ControlPlaneError) {
        guard let first = events.first else { return }
        if HistoryWrite(first) == .runOutput {
            try await recordRunOutput(events, for: sessionID)
        } else {
            try await record(events, for: sessionID)
        }
    }

    /// Where an admitted event goes: a streamed exec's output to its caller, a run's events to
    /// the run, anything else into the history.
    private func route(_ event: Netclode_V1_AgentEvent, from sessionID: String) async throws(ControlPlaneError) {
        switch event.kind {
        case ProcessEventKind.execOutput, ProcessEventKind.exec:
            deliverExecStreamEvent(event, from: sessionID)
        case ProcessEventKind.run, ProcessEventKind.agentOutput:
            try await recordRunEvent(event, for: sessionID)
        default:
            try await record(event, for: sessionID)
        }
    }

    /// Stores an event, tells the watchers, and folds clone progress into the session's status.
    /// Run output is `capped`: it counts against the session's output cap (Runs/OutputCap.swift).
    func record(_ event: Netclode_V1_AgentEvent, for sessionID: String, capped: Bool = false) async throws(ControlPlaneError) {
        try await record([event], for: sessionID, capped: capped)
    }

    /// Stores events of one session with one write, in order, tells the watchers, folds clone
    /// progress into the session's status, and (for `capped` ones) keeps the session's output
    /// under its cap.
    func record(_ events: [Netclode_V1_AgentEvent], for sessionID: String, capped: Bool = false) async throws(ControlPlaneError) {
        guard records[sessionID] != nil else { throw .notFound("session \"\(sessionID)\" not found") }
        let size: Int
        do {
            size = try await appendInOrder(events, for: sessionID, capped: capped)
        } catch {
            throw .internal("could not store events of session \(sessionID): \(error)")
        }
        if capped { await enforceOutputCap(sessionID, added: size) }
        for event in events where event.kind == "repo_clone" {
            timeClone(event, sessionID: sessionID)
            try await applyCloneProgress(event, to: sessionID)
        }
    }

    /// Stores `events` with one write and publishes them to the watchers, strictly in cursor
    /// order per session; returns their total payload size.
    ///
    /// The store assigns the cursor, and the actor is re-entered while it writes: without the
    /// chain, an agent report and a control-plane event (a refresh, an access change) of the same
    /// session could be published out of order, and a watcher — which skips anything at or below
    /// the last cursor it sent, so that a resume never repeats — would silently lose the earlier
    /// one. Each append therefore waits until the session's previous one is published. The work
    /// runs in its own task, so a caller that is cancelled mid-way cannot leave a stored event
    /// unpublished.
    func appendInOrder(_ events: [Netclode_V1_AgentEvent], for sessionID: String, capped: Bool) async throws -> Int {
        let payloads = try events.map { try $0.serializedBytes() as [UInt8] }
        let previous = eventAppends[sessionID]
        let store = self.store
        let hub = self.hub
        let append = Task<Void, any Error> {
            _ = await previous?.result
            let cursors = try await store.appendEvents(sessionID: sessionID, payloads: payloads, at: Date(), capped: capped)
            for (cursor, event) in zip(cursors, events) {
                await hub.publish(sessionID, .event(PublishedEvent(sessionID: sessionID, cursor: cursor, event: event)))
            }
        }
        eventAppends[sessionID] = append
        let result = await append.result
        if eventAppends[sessionID] == append { eventAppends[sessionID] = nil }
        try result.get()
        return payloads.reduce(0) { $0 + $1.count }
    }

    /// Keeps `repoStatus` at each repo's last stage, and moves the session to `ready` once every
    /// repository is done or failed (a failed clone does not fail the session).
    private func applyCloneProgress(_ event: Netclode_V1_AgentEvent, to sessionID: String) async throws(ControlPlaneError) {
        guard let record = records[sessionID], let stage = CloneStage(rawValue: event.stage) else { return }
        let message = stage == .cloning && event.hasPercent ? "\(event.phase) \(event.percent)%" : event.message
        let status = RepoStatusRecord(repo: event.repo, stage: stage.rawValue, message: message)
        if let previous = record.repoStatus.first(where: { $0.repo == event.repo }) {
            // A finished repo only changes when a new clone attempt starts.
            if CloneStage(rawValue: previous.stage)?.isFinal == true && stage == .cloning { return }
            // Progress ticks stay in memory; only stage changes are worth a write.
            if previous.stage == status.stage && stage == .cloning {
                records[sessionID]?.repoStatus.upsert(status)
                return
            }
        }
        try await update(sessionID) { record in
            record.repoStatus.upsert(status)
            let allFinal = record.repos.allSatisfy { repo in
                record.repoStatus.contains { $0.repo == repo && (CloneStage(rawValue: $0.stage)?.isFinal ?? false) }
            }
            if allFinal && (record.sessionStatus == .cloning || record.sessionStatus == .creating) {
                record.status = SessionStatus.ready.rawValue
            } else if !allFinal && record.sessionStatus == .creating {
                record.status = SessionStatus.cloning.rawValue
            }
        }
    }

    /// Hands refreshed tokens to the agent, in the session's turn, and waits for its
    /// acknowledgement; the broker revokes the old tokens only after this returns. Tokens that no
    /// longer belong to the session's lease (an access change replaced it while they were minted)
    /// are not delivered: the agent keeps the newer level. A failed refresh becomes a `token` event.
    func deliver(_ renewal: TokenRenewal, to sessionID: String) async throws {
        switch renewal {
        case .renewed(let tokens):
            let delivered = try await exclusively(sessionID) { () async throws(ControlPlaneError) -> Bool in
                guard let broker = github.broker, await broker.isCurrent(tokens, session: sessionID) else { return false }
                // Proxy mode: the git proxy takes the session's current token on each request.
                guard records[sessionID]?.mode != .proxy else { return true }
                let reply = try await agents.request(sessionID: sessionID, .make(.credentials(Self.credentials(tokens))), timeout: options.acknowledgementTimeout)
                guard case .ack(let ack) = reply, ack.ok else {
                    throw .unavailable("the agent of session \(sessionID) refused the new credentials")
                }
                return true
            }
            guard delivered else { throw TokenRenewalSuperseded() }
            try? await record(.now(kind: "token") { $0.stage = "refreshed"; $0.message = "Credentials refreshed before expiry" }, for: sessionID)
        case .failed(let error, let retryIn):
            try? await record(.now(kind: "token") {
                $0.stage = "error"
                $0.message = "Token refresh failed, retrying in \(retryIn): \(error.message)"
            }, for: sessionID)
        }
    }

    /// The tokens an agent gets when it attaches: none in proxy mode, ever.
    private func currentCredentials(_ sessionID: String) async -> Netclode_V1_Credentials? {
        guard let broker = github.broker, records[sessionID]?.mode == .token else { return nil }
        let tokens = await broker.tokens(for: sessionID)
        return tokens.isEmpty ? nil : Self.credentials(tokens)
    }

    static func credentials(_ tokens: [InstallationToken]) -> Netclode_V1_Credentials {
        var credentials = Netclode_V1_Credentials()
        credentials.repoAccess = tokens.first?.access.rawValue ?? ""
        credentials.tokens = tokens.map { token in
            var credential = Netclode_V1_RepoCredential()
            credential.owner = token.owner
            credential.repos = token.repositories.map(\.fullName)
            credential.token = token.secret
            credential.expiresAt = .init(date: token.expiresAt)
            return credential
        }
        return credentials
    }

    private func agentConfig(for record: SessionRecord) async -> Netclode_V1_AgentConfig {
        var config = Netclode_V1_AgentConfig()
        config.blobless = record.blobless
        let author = await commitIdentity.author(sessionAuthor: record.gitAuthor, logger: sessionLogger(record.id))
        config.gitUserName = author.name
        config.gitUserEmail = author.email
        config.repos = repoSpecs(for: record)
        config.credentialMode = record.mode.rawValue
        if record.mode == .proxy {
            config.gitProxyCredential = await agents.gitCredential(of: record.id) ?? ""
            config.gitWebURL = github.endpoints.webURL.absoluteString
        }
        return config
    }
}

extension [RepoStatusRecord] {
    /// Replaces the status of `status.repo`, or appends it for a repository not seen before.
    mutating func upsert(_ status: RepoStatusRecord) {
        if let index = firstIndex(where: { $0.repo == status.repo }) {
            self[index] = status
        } else {
            append(status)
        }
    }
}
