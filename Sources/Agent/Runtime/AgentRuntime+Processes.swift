import Foundation
import NetclodeProto
import SwiftProtobuf

/// `StartProcess` / `CancelProcess`: runs of the agent command and streamed execs, whose output
/// the agent reports as it comes.
///
/// A run (`purpose: "run"`) reports `run` (started, then finished, failed or cancelled, with the
/// exit code, the duration and the branches it pushed) around its `agent_output` chunks; a
/// streamed exec reports `exec_output` chunks and a final `exec`. Every event carries the process
/// id as `runID`.
extension AgentRuntime {
    /// Between SIGTERM and SIGKILL of a cancelled or timed-out process group.
    static let stopGrace = Duration.seconds(5)

    func runProcess(_ start: Netclode_V1_StartProcess) async {
        let id = start.processID
        guard processes[id] == nil else { return }  // a repeated command (the channel reconnected)
        let control = ProcessControl(grace: Self.stopGrace)
        processes[id] = control
        defer { processes[id] = nil }

        let isRun = start.purpose == "run"
        let kinds = isRun ? (output: "agent_output", end: "run") : (output: "exec_output", end: "exec")
        let targets = self.targets
        let environment = await commandEnvironment()
        let git = GitCommand(executable: "git", environment: environment)
        let before = isRun ? await RemoteRefs.snapshot(of: targets, in: workspace, git: git) : nil
        if isRun {
            report(.event(.process(kinds.end, id: id) {
                $0.stage = "started"
                $0.message = "Running \(start.command.first ?? "")"
            }))
        }

        let outbox = self.outbox
        var end = Netclode_V1_AgentEvent.process(kinds.end, id: id)
        do {
            let outcome = try await CommandRunner(workspace: workspace).stream(
                start.command, workdir: start.workdir, environment: environment.merging(start.environment) { $1 }, input: start.stdin,
                timeout: .seconds(Int(max(start.timeoutSeconds, 1))), knownSecrets: await knownSecrets + start.environment.values, control: control
            ) { stream, text in
                await outbox.postOutput(.process(kinds.output, id: id) {
                    $0.stream = stream.rawValue
                    $0.data = text
                })
                // A refused push: the session also learns why, and how to switch a read-only session.
                if stream == .stderr, let hint = await self.pushRefusalHint(text) { await self.report(.event(hint)) }
            }
            end.exitCode = outcome.exitCode
            end.durationMs = Int64(outcome.duration.components.seconds * 1000 + outcome.duration.components.attoseconds / 1_000_000_000_000_000)
            switch outcome.stopReason {
            case .cancelled(let reason)?:
                end.stage = "cancelled"
                end.message = reason.isEmpty ? "Cancelled" : "Cancelled: \(reason)"
            case .timedOut?:
                end.stage = "failed"
                end.message = "Timed out after \(start.timeoutSeconds) s"
            case nil:
                end.stage = "finished"
                end.message = "Exited with code \(outcome.exitCode)"
            }
        } catch {
            end.stage = "failed"
            end.message = "\(error)"
        }
        if let before {
            let after = await RemoteRefs.snapshot(of: targets, in: workspace, git: git)
            end.pushes = await after.pushes(since: before, targets: targets, in: workspace, git: git).map { push in
                .with {
                    $0.repo = push.repository
                    $0.branch = push.branch
                    $0.commits = Int32(push.commits)
                    $0.created = push.created
                }
            }
        }
        report(.event(end))
    }
}

extension Netclode_V1_AgentEvent {
    /// An event of a streamed process (`runID` = the process id), stamped now.
    static func process(_ kind: String, id: String, _ configure: (inout Self) -> Void = { _ in }) -> Self {
        var event = Self()
        event.kind = kind
        event.timestamp = Google_Protobuf_Timestamp(date: Date())
        event.runID = id
        configure(&event)
        return event
    }
}
