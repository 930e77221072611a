import Logging
import Foundation
import NetclodeProto
import Storage
import SwiftProtobuf

extension SessionRecord {
    /// The API's view of a session. `repoAccess` is printed only when the session has repos.
    var wire: Netclode_V1_Session {
        var session = Netclode_V1_Session()
        session.id = id
        session.name = name
        session.status = status
        session.repos = repos
        if !repos.isEmpty, let repoAccess { session.repoAccess = repoAccess }
        session.repoStatus = repoStatus.map { status in
            var wire = Netclode_V1_RepoStatus()
            wire.repo = status.repo
            wire.stage = status.stage
            wire.message = status.message
            return wire
        }
        session.createdAt = Google_Protobuf_Timestamp(date: createdAt)
        session.updatedAt = Google_Protobuf_Timestamp(date: updatedAt)
        if let error { session.error = error }
        session.agentCommand = agentCommand
        if let gitAuthor { session.gitAuthor = gitAuthor }
        session.credentialMode = credentialMode
        if mode == .proxy { session.pushPolicy = PushPolicy(record: pushPolicy).wire }
        return session
    }

    var sessionStatus: SessionStatus { SessionStatus(rawValue: status) ?? .error }

    /// Sessions stored with an unknown mode are treated as token sessions, as before modes existed.
    var mode: CredentialMode { CredentialMode(rawValue: credentialMode) ?? .token }
}

extension Netclode_V1_AgentEvent {
    /// An event stamped now, to the second (the wire form is `2026-01-18T22:50:00Z`).
    static func now(kind: String, configure: (inout Netclode_V1_AgentEvent) -> Void = { _ in }) -> Netclode_V1_AgentEvent {
        var event = Netclode_V1_AgentEvent()
        event.kind = kind
        event.timestamp = Google_Protobuf_Timestamp(seconds: Int64(Date().timeIntervalSince1970), nanos: 0)
        configure(&event)
        return event
    }
}
