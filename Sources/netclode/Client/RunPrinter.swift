import ConnectRPC
import Foundation
import NetclodeProto

/// Prints a run as it happens: the agent's output on stdout/stderr as it comes, the run's
/// start and end on stderr (so a script can pipe the agent's output alone), or every event as
/// JSON. Returns the exit code the CLI should end with: the agent's own.
struct RunPrinter {
    let json: Bool

    func follow(_ stream: ConnectResponseStream<Netclode_V1_RunPromptResponse>) async throws -> Int32 {
        var exitCode: Int32?
        var failure: String?
        for try await item in stream {
            if json { try ClientOutput.json(item) }
            let event = item.event
            switch event.kind {
            case "agent_output" where !json:
                if event.stream == "stderr" { ClientOutput.writeError(event.data) } else { ClientOutput.write(event.data) }
            case "run":
                if !json { ClientOutput.error("netclode: \(Self.describe(event, runID: item.runID))") }
                switch event.stage {
                case "finished": exitCode = event.exitCode
                case "failed": failure = event.message; exitCode = event.hasExitCode ? event.exitCode : 1
                case "cancelled": failure = event.message; exitCode = 130
                default: break
                }
            default:
                continue
            }
        }
        guard let exitCode else {
            throw ClientFailure.failed(failure ?? "the run's stream ended before the run did")
        }
        return exitCode
    }

    /// `run-… started`, `run-… finished: exit code 0 in 12.3 s; pushed owner/repo fix-bug (2 commits, new)`.
    static func describe(_ event: Netclode_V1_AgentEvent, runID: String) -> String {
        var text = "\(runID) \(event.stage)"
        if event.stage != "started" {
            var details: [String] = []
            if !event.message.isEmpty { details.append(event.message) }
            if event.durationMs > 0 { details.append(String(format: "%.1f s", Double(event.durationMs) / 1000)) }
            if !event.pushes.isEmpty {
                let pushes = event.pushes.map { push in
                    "\(push.repo) \(push.branch) (\(push.commits) commit\(push.commits == 1 ? "" : "s")\(push.created ? ", new" : ""))"
                }
                details.append("pushed " + pushes.joined(separator: ", "))
            }
            if !details.isEmpty { text += ": " + details.joined(separator: "; ") }
        }
        return text
    }
}
