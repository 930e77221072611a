import Foundation
import Logging
import NetclodeProto
import Storage
import SwiftProtobuf

/// `RunPrompt` and `CancelRun`: the session's agent command run on a prompt, one run at a time.
///
/// The agent runs the command and reports `run` (started, then finished, failed or cancelled)
/// and `agent_output` events tagged with the run's id. They are stored like every other event, so
/// `WatchSession` shows them, and the caller of `RunPrompt` follows them live from a subscription
/// made before the run starts. A watchdog ends a run whose end never comes (the sandbox died).
extension SessionManager {
    /// Larger prompts belong in a file in the workspace; a single argument may not exceed 128 KiB
    /// on Linux anyway.
    static let maximumPromptBytes = 100_000
    /// How long after its timeout a run may take to report its end before the watchdog ends it.
    static let runEndAllowance = Duration.seconds(60)

    public func runPrompt(_ request: Netclode_V1_RunPromptRequest) async throws(ControlPlaneError) -> RunEvents {
        let id = request.sessionID
        var record = try await existing(id)
        try requireSandbox(record, for: "a run")
        let prompt = request.prompt
        guard !prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .invalidArgument("prompt is empty: say what the agent should do")
        }
        guard prompt.utf8.count <= Self.maximumPromptBytes else {
            throw .invalidArgument("prompt is \(prompt.utf8.count) bytes; at most \(Self.maximumPromptBytes) are accepted (put longer instructions in a file of the workspace and point the prompt at it)")
        }
        guard request.timeoutSeconds >= 0 else { throw .invalidArgument("timeoutSeconds must not be negative") }
        let timeout = request.timeoutSeconds == 0 ? options.runs.defaultTimeout : .seconds(Int(request.timeoutSeconds))
        guard timeout <= options.runs.maximumTimeout else {
            throw .invalidArgument("timeoutSeconds is \(request.timeoutSeconds); this server allows at most \(options.runs.maximumTimeout.components.seconds) (NETCLODE_RUN_MAX_TIMEOUT)")
        }
        let template = try agentCommand(for: record)
        guard await agents.waitUntilAttached(id, timeout: .seconds(15)) else {
            throw .unavailable("the agent of session \(id) is not connected")
        }

        // One run at a time: wait for the turn (queue) or refuse.
        while let current = runs[id] {
            guard request.queue else {
                throw .failedPrecondition("session \(id) is already running \(current.id): wait for it to end, cancel it with "
                    + "`netclode session cancel \(id)`, or queue this prompt (\"queue\": true, `--queue`)")
            }
            do {
                try await runWaiters.wait(id)
            } catch {
                throw .cancelled("the caller stopped waiting for its turn to run in session \(id)")
            }
            record = try await existing(id)
            try requireSandbox(record, for: "a run")
        }

        // Taken before the first await, so no other run can start in between.
        let runID = Identifiers.runID()
        runs[id] = ActiveRun(id: runID, started: .now)
        let (subscription, inbox) = await hub.subscribe(id)
        let hub = self.hub
        let events = RunEvents(runID: runID, sessionID: id, inbox: inbox, unsubscribe: {
            Task { await hub.unsubscribe(id, id: subscription) }
        })
        let (arguments, input) = template.command(for: prompt)
        let start = Netclode_V1_StartProcess.with {
            $0.processID = runID
            $0.purpose = "run"
            $0.command = arguments
            $0.stdin = input
            $0.timeoutSeconds = Int32(timeout.components.seconds)
            $0.environment = options.runs.agentEnvironment
        }
        guard await agents.send(sessionID: id, .make(.startProcess(start))) else {
            await endRun(id, runID, .failed, "the agent of session \(id) disconnected before the run could start")
            return events
        }
        runs[id]?.watchdog = Task { [weak self] in
            guard (try? await Task.sleep(for: timeout + Self.runEndAllowance)) != nil else { return }
            await self?.endRun(id, runID, .failed, "the agent did not report the end of the run within \(Self.runEndAllowance) of its \(timeout) timeout")
        }
        sessionLogger(id).info("run started", metadata: ["run": "\(runID)", "command": "\(template.arguments.first ?? "")"])
        return events
    }

    public func cancelRun(_ request: Netclode_V1_CancelRunRequest) async throws(ControlPlaneError) -> Netclode_V1_CancelRunResponse {
        let record = try await existing(request.sessionID)
        let id = record.id
        guard let run = runs[id] else { throw .failedPrecondition("session \(id) has no run in progress") }
        guard request.runID.isEmpty || request.runID == run.id else {
            throw .failedPrecondition("\(request.runID) is not the run in progress in session \(id) (\(run.id) is)")
        }
        let cancel = Netclode_V1_CancelProcess.with {
            $0.processID = run.id
            $0.reason = "cancelled by the user"
        }
        if await agents.send(sessionID: id, .make(.cancelProcess(cancel))) {
            // The agent reports `cancelled` once the process group is gone (SIGKILL follows SIGTERM
            // after its grace period); if that report never comes, the run ends here anyway.
            runs[id]?.watchdog?.cancel()
            runs[id]?.watchdog = Task { [weak self] in
                guard (try? await Task.sleep(for: Self.runEndAllowance)) != nil else { return }
                await self?.endRun(id, run.id, .cancelled, "Cancelled; the agent did not confirm the process ended")
            }
        } else {
            await endRun(id, run.id, .cancelled, "Cancelled (the agent was not connected)")
        }
        sessionLogger(id).info("run cancel requested", metadata: ["run": "\(run.id)"])
        return .with { $0.runID = run.id }
    }

    /// An agent's `run` or `agent_output` event: stored (output against the cap), and a final
    /// `run` event frees the session for its next run.
    ///
    /// Events of a run this control plane does not know (it restarted while the run went on in
    /// the sandbox) adopt that run, so its output is kept and its end still frees the session.
    func recordRunEvent(_ event: Netclode_V1_AgentEvent, for sessionID: String) async throws(ControlPlaneError) {
        let final = try acceptRunEvent(event, for: sessionID)
        try await record(event, for: sessionID, capped: event.kind == ProcessEventKind.agentOutput)
        if final { releaseRun(sessionID, event.runID) }
    }

    /// Consecutive `agent_output` events of a batched report, stored with one write.
    func recordRunOutput(_ events: [Netclode_V1_AgentEvent], for sessionID: String) async throws(ControlPlaneError) {
        guard !events.isEmpty else { return }
        for event in events { _ = try acceptRunEvent(event, for: sessionID) }
        try await record(events, for: sessionID, capped: true)
    }

    /// Checks that a run event belongs to the session's run (adopting an unknown one, see
    /// ``recordRunEvent(_:for:)``); whether it ends the run.
    private func acceptRunEvent(_ event: Netclode_V1_AgentEvent, for sessionID: String) throws(ControlPlaneError) -> Bool {
        guard !event.runID.isEmpty else { throw .invalidArgument("\(event.kind) event without a runId") }
        let final = event.kind == ProcessEventKind.run && RunStage(rawValue: event.stage)?.isFinal == true
        if let current = runs[sessionID] {
            guard current.id == event.runID else {
                throw .failedPrecondition("\(event.runID) is not the run in progress in session \(sessionID)")
            }
        } else if !final {
            runs[sessionID] = ActiveRun(id: event.runID, started: .now, watchdog: Task { [weak self] in
                guard let self, (try? await Task.sleep(for: self.options.runs.maximumTimeout + Self.runEndAllowance)) != nil else { return }
                await self.endRun(sessionID, event.runID, .failed, "the agent did not report the end of the run")
            })
        }
        return final
    }

    /// Ends the run `runID` of a session from the control plane's side (its sandbox stopped, its
    /// agent went silent): records the final `run` event the agent could not send.
    func endRun(_ sessionID: String, _ runID: String, _ stage: RunStage, _ message: String) async {
        guard let run = runs[sessionID], run.id == runID else { return }
        releaseRun(sessionID, runID)
        let duration = ContinuousClock.now - run.started
        try? await record(.now(kind: ProcessEventKind.run) {
            $0.runID = runID
            $0.stage = stage.rawValue
            $0.message = message
            $0.durationMs = duration.milliseconds
        }, for: sessionID)
    }

    /// The sandbox is going away: its run ends, and runs queued for it are refused.
    func endRuns(of sessionID: String, because reason: String) async {
        if let run = runs[sessionID] { await endRun(sessionID, run.id, .cancelled, "Cancelled: \(reason)") }
        runWaiters.resumeAll(where: { $0 == sessionID }, returning: ())
        endExecStreams(of: sessionID, because: reason)
    }

    /// Frees the session for its next run (the longest-waiting queued one).
    private func releaseRun(_ sessionID: String, _ runID: String) {
        guard runs[sessionID]?.id == runID else { return }
        runs.removeValue(forKey: sessionID)?.watchdog?.cancel()
        runWaiters.resumeFirst(where: { $0 == sessionID }, returning: ())
    }

    /// Runs, execs and streamed execs need the sandbox: the status is named when there is none.
    func requireSandbox(_ record: SessionRecord, for what: String) throws(ControlPlaneError) {
        guard record.sessionStatus.wantsSandbox else {
            let hint = record.sessionStatus == .paused ? "; resume it with `netclode session resume \(record.id)`" : ""
            throw .failedPrecondition("session \(record.id) is \(record.status); \(what) needs a running sandbox\(hint)")
        }
    }

    /// The session's own command if it named one (still allowed by the operator), else the
    /// server's.
    private func agentCommand(for record: SessionRecord) throws(ControlPlaneError) -> AgentCommandTemplate {
        if !record.agentCommand.isEmpty {
            let command = try AgentCommandTemplate(record.agentCommand, source: "the session's agentCommand")
            guard options.runs.allows(command) else {
                throw .failedPrecondition("the agent command of session \(record.id), \(command), is no longer allowed by this server (NETCLODE_AGENT_COMMANDS_ALLOWED)")
            }
            return command
        }
        guard let command = options.runs.agentCommand else {
            throw .failedPrecondition("no agent command is configured: the operator sets NETCLODE_AGENT_COMMAND, e.g. [\"claude\", \"-p\", \"{prompt}\"]")
        }
        return command
    }
}

extension Duration {
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
