import Foundation
import NetclodeProto
import SwiftProtobuf

extension Netclode_V1_AgentEvent {
    /// The `repo_clone` event of DESIGN.md §1 for one clone step.
    init(_ clone: CloneEvent) {
        self.init()
        kind = "repo_clone"
        timestamp = Google_Protobuf_Timestamp(seconds: Int64(Date().timeIntervalSince1970), nanos: 0)
        repo = clone.repository
        stage = clone.stage
        message = clone.message
        if let phase = clone.phase { self.phase = phase }
        if let percent = clone.percent { self.percent = Int32(percent) }
    }
}
