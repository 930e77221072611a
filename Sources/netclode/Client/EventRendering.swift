import Foundation
import NetclodeProto
import SwiftProtobuf

/// One readable line per watch item, e.g.
/// `12:34:56 repo_clone demo/hello starting Cloning repository...`.
enum EventRendering {
    static func line(_ item: Netclode_V1_WatchSessionResponse) -> String {
        if item.hasEvent { return line(item.event) }
        if item.hasSession {
            let session = item.session
            let time = session.hasUpdatedAt ? Formatting.clock(session.updatedAt.date) : "--:--:--"
            var parts = [time, item.type.isEmpty ? "session.updated" : item.type, session.status]
            if !session.error.isEmpty { parts.append(session.error) }
            return parts.joined(separator: " ")
        }
        return item.type
    }

    static func line(_ event: Netclode_V1_AgentEvent) -> String {
        var parts = [event.hasTimestamp ? Formatting.clock(event.timestamp.date) : "--:--:--", event.kind]
        switch event.kind {
        case "agent_output", "exec_output":
            // The output itself (its last line break dropped: the line ends here anyway).
            let data = event.data.hasSuffix("\n") ? String(event.data.dropLast()) : event.data
            return (parts + [event.stream, data]).joined(separator: " ")
        case "run":
            return (parts + [RunPrinter.describe(event, runID: event.runID)]).joined(separator: " ")
        default:
            break
        }
        if !event.repo.isEmpty { parts.append(Formatting.repoName(event.repo)) }
        if !event.stage.isEmpty { parts.append(event.stage) }
        if !event.status.isEmpty { parts.append(event.status) }
        if !event.repoAccess.isEmpty { parts.append(event.repoAccess) }
        if !event.message.isEmpty {
            parts.append(event.message)
        } else if !event.phase.isEmpty {
            parts.append(event.hasPercent ? "\(event.phase) \(event.percent)%" : event.phase)
        }
        return parts.joined(separator: " ")
    }
}
