import ConnectRPC
import NetclodeClient
import NetclodeProto
import SwiftProtobuf

/// `create --watch`: follows a new session's events until it is ready (or failed), drawing each
/// repository's clone progress.
struct SessionWatcher {
    let sessions: SessionClient
    let json: Bool

    func waitUntilReady(_ created: Netclode_V1_Session) async throws {
        var progress = CloneProgress(repos: created.repos)
        var view = CloneProgressView(live: !json && ClientOutput.stdoutIsTerminal)
        if !json { view.start(progress) }
        // A stream that drops (the server restarts, a replica behind a load balancer stops in a
        // rolling update) is resumed from its last cursor, on whichever server answers.
        let items = sessions.follow(created.id) { error in
            ClientOutput.error("netclode: the event stream dropped (\(error.message.isEmpty ? error.code.rawValue : error.message)); reconnecting")
        }
        for try await item in items {
            if json { try ClientOutput.json(item) }
            if item.hasEvent {
                let change = progress.apply(item.event)
                if !json && change != .none { view.update(progress, change: change) }
            }
            guard item.hasSession else { continue }
            let session = item.session
            switch session.status {
            case "ready":
                try finish(session)
                return
            case "error":
                throw ClientFailure.failed("session \(session.id) failed: \(session.error.isEmpty ? "no reason given" : session.error)")
            case "paused", "deleted":
                throw ClientFailure.failed("session \(session.id) is \(session.status), it did not become ready")
            default:
                continue
            }
        }
        throw ClientFailure.failed("the watch of session \(created.id) ended before the session was ready")
    }

    private func finish(_ session: Netclode_V1_Session) throws {
        let failed = session.repoStatus.filter { $0.stage == "error" }.map { Formatting.repoName($0.repo) }
        if !failed.isEmpty {
            let list = failed.joined(separator: ", ")
            throw ClientFailure.failed("session \(session.id) is \(session.status), but \(failed.count == 1 ? "1 repository" : "\(failed.count) repositories") failed to clone: \(list)")
        }
        if !json { ClientOutput.line("Session \(session.id) is \(session.status)") }
    }
}
