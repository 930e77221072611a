import SwiftProtobuf
import Logging
import NetclodeProto
import Storage

/// `Exec`: a command run by the session's agent in its workspace.
extension SessionManager {
    public func exec(_ request: Netclode_V1_ExecRequest) async throws(ControlPlaneError) -> Netclode_V1_ExecResponse {
        let (record, command, timeout) = try await validatedExec(request)
        let reply: AgentConnections.Reply
        do {
            reply = try await agents.request(sessionID: record.id, .make(.exec(command)), timeout: timeout + .seconds(15))
        } catch {
            throw Self.controlPlaneError(error)
        }
        guard case .execResult(let result) = reply else {
            throw .internal("the agent answered an exec with an acknowledgement")
        }
        return result
    }

    /// Checks an `Exec`/`ExecStream` request (the session has a sandbox whose agent is connected,
    /// a program, a workdir inside the workspace) and settles its timeout.
    func validatedExec(_ request: Netclode_V1_ExecRequest) async throws(ControlPlaneError) -> (SessionRecord, Netclode_V1_ExecRequest, Duration) {
        let record = try await existing(request.sessionID)
        try requireSandbox(record, for: "exec")
        guard let program = request.command.first, !program.isEmpty else {
            throw .invalidArgument("command is empty: give the program and its arguments, e.g. [\"git\", \"status\"]")
        }
        let workdir = request.workdir
        if workdir.hasPrefix("/") || workdir.split(separator: "/").contains("..") {
            throw .invalidArgument("workdir must be relative to the workspace without \"..\", got \"\(workdir)\"")
        }
        guard request.timeoutSeconds >= 0 else { throw .invalidArgument("timeoutSeconds must not be negative") }
        var timeout = request.timeoutSeconds == 0 ? options.defaultExecTimeout : .seconds(Int(request.timeoutSeconds))
        timeout = min(timeout, options.maximumExecTimeout)
        var command = request
        command.timeoutSeconds = Int32(timeout.components.seconds)
        guard await agents.waitUntilAttached(record.id, timeout: .seconds(15)) else {
            throw .unavailable("the agent of session \(record.id) is not connected")
        }
        return (record, command, timeout)
    }
}
