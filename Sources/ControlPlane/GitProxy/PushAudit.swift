import Foundation
import NetclodeProto
import SwiftProtobuf

/// One push through the git proxy, as the session's history keeps it (`git_push` event).
struct PushAudit: Sendable {
    enum Outcome: String, Sendable {
        /// GitHub took every ref.
        case accepted
        /// The proxy refused it (push policy, access level); nothing reached GitHub.
        case refused
        /// It reached GitHub, which refused some refs or the whole push.
        case rejected
        /// It reached GitHub, but its answer could not be read (the connection dropped).
        case unknown
    }

    struct Ref: Sendable {
        var command: RefCommand
        var ok: Bool?
        var reason: String
    }

    var repository: String
    var outcome: Outcome
    var message: String
    var refs: [Ref]
    /// The installation token's fingerprint (never the token), for the log line.
    var tokenFingerprint: String

    var event: Netclode_V1_AgentEvent {
        var event = Netclode_V1_AgentEvent()
        event.kind = "git_push"
        event.timestamp = Google_Protobuf_Timestamp(seconds: Int64(Date().timeIntervalSince1970), nanos: 0)
        event.repo = repository
        event.stage = outcome.rawValue
        event.message = message
        event.refUpdates = refs.map { ref in
            .with {
                $0.ref = ref.command.ref
                $0.oldID = ref.command.oldID
                $0.newID = ref.command.newID
                $0.result = ref.ok.map { $0 ? "ok" : "ng" } ?? ""
                $0.reason = ref.reason
            }
        }
        return event
    }
}
