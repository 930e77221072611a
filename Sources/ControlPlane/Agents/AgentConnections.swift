import SwiftProtobuf
import Logging
import Foundation
import NetclodeProto

/// The control plane's side of every agent channel: who may attach, the command stream of each
/// attached agent, and the replies (acknowledgements, exec results) commands are waiting for.
///
/// An agent holds `Attach` open to receive commands and answers through `Report`; a command that
/// needs an answer waits here, with a deadline, until the matching report arrives.
actor AgentConnections {
    enum Reply: Sendable {
        case ack(Netclode_V1_CommandAck)
        case execResult(Netclode_V1_ExecResponse)
    }

    private struct Connection {
        let generation: Int
        let continuation: AsyncStream<Netclode_V1_AgentCommand>.Continuation
    }

    /// A command waiting for its reply, tagged with the session it was sent to so a closing channel
    /// can fail its pending commands at once.
    private struct PendingCommand: Sendable {
        let sessionID: String
        let commandID: String
    }

    /// The SHA-256 of each session's agent secret (``TokenDigest``): all it takes to
    /// check the secret, and what an adopted sandbox's agent is checked against after a restart.
    private var secretDigests: [String: String] = [:]
    /// Each proxy-mode session's git proxy credential, and the sessions by its SHA-256 (the proxy
    /// looks a session up by the credential a request carries).
    private var gitCredentials: [String: String] = [:]
    private var gitCredentialOwners: [String: String] = [:]
    private var connections: [String: Connection] = [:]
    private let replies = WaitQueue<PendingCommand, Reply>()
    private let attachWaiters = WaitQueue<String, Void>()
    private var generation = 0

    /// Allows `secret` to attach as `sessionID` (replacing any earlier secret), and `gitCredential`
    /// (proxy mode) to use the git proxy for it. Both live exactly as long as the sandbox they
    /// were made for: a pause, delete or failure unregisters them together.
    func register(sessionID: String, secret: String, gitCredential: String? = nil) {
        register(sessionID: sessionID, secretDigest: TokenDigest.of(secret), gitCredential: gitCredential)
    }

    /// ``register(sessionID:secret:gitCredential:)`` knowing only the secret's SHA-256, as for an
    /// agent that was started by an earlier control plane (its sandbox was adopted).
    func register(sessionID: String, secretDigest: String, gitCredential: String? = nil) {
        secretDigests[sessionID] = secretDigest
        forgetGitCredential(of: sessionID)
        if let gitCredential {
            gitCredentials[sessionID] = gitCredential
            gitCredentialOwners[TokenDigest.of(gitCredential)] = sessionID
        }
    }

    /// The git proxy credential of a session's current sandbox, for its agent's config.
    func gitCredential(of sessionID: String) -> String? {
        gitCredentials[sessionID]
    }

    /// The session `credential` belongs to, if it is current.
    func session(forGitCredential credential: String) -> String? {
        gitCredentialOwners[TokenDigest.of(credential)]
    }

    private func forgetGitCredential(of sessionID: String) {
        if let old = gitCredentials.removeValue(forKey: sessionID) {
            gitCredentialOwners[TokenDigest.of(old)] = nil
        }
    }

    /// Forgets a session: its secret and git proxy credential stop working and its channel closes.
    func unregister(sessionID: String) {
        secretDigests[sessionID] = nil
        forgetGitCredential(of: sessionID)
        connections.removeValue(forKey: sessionID)?.continuation.finish()
        failPending(of: sessionID)
    }

    /// True when `secret` is the one registered for `sessionID`: another session's secret is useless.
    func verify(sessionID: String, secret: String) -> Bool {
        guard let expected = secretDigests[sessionID] else { return false }
        return ConstantTime.equals(expected, TokenDigest.of(secret))
    }

    /// Opens the command stream of an agent that just attached, starting with `initial` commands.
    /// A second attach of the same session (the agent reconnected) replaces the first.
    func attach(sessionID: String, initial: [Netclode_V1_AgentCommand]) -> AsyncStream<Netclode_V1_AgentCommand> {
        let (stream, continuation) = AsyncStream<Netclode_V1_AgentCommand>.makeStream()
        for command in initial { continuation.yield(command) }
        generation += 1
        let mine = generation
        connections.updateValue(Connection(generation: mine, continuation: continuation), forKey: sessionID)?.continuation.finish()
        continuation.onTermination = { [weak self] _ in
            Task { await self?.detach(sessionID: sessionID, generation: mine) }
        }
        attachWaiters.resumeAll(where: { $0 == sessionID }, returning: ())
        return stream
    }

    func isAttached(_ sessionID: String) -> Bool { connections[sessionID] != nil }

    /// Waits until the session's agent is attached, or `timeout` passes, or the caller goes away.
    /// Returns whether it is attached.
    func waitUntilAttached(_ sessionID: String, timeout: Duration) async -> Bool {
        if connections[sessionID] != nil { return true }
        do {
            try await attachWaiters.wait(sessionID, timeout: timeout)
        } catch {
            return false
        }
        return connections[sessionID] != nil
    }

    /// Sends `command` and waits for its reply (an ack or an exec result) for at most `timeout`.
    /// A caller that goes away (its request was cancelled) stops waiting at once and the reply,
    /// should it come, is dropped.
    func request(sessionID: String, _ command: Netclode_V1_AgentCommand, timeout: Duration) async throws(ControlPlaneError) -> Reply {
        guard let connection = connections[sessionID] else {
            throw .unavailable("the agent of session \(sessionID) is not connected")
        }
        connection.continuation.yield(command)
        do {
            return try await replies.wait(PendingCommand(sessionID: sessionID, commandID: command.id), timeout: timeout) {
                ControlPlaneError.deadlineExceeded("the agent of session \(sessionID) did not answer within \(timeout)")
            }
        } catch let error as ControlPlaneError {
            throw error
        } catch {
            throw .cancelled("the caller stopped waiting for the agent of session \(sessionID)")
        }
    }

    /// Sends a command that needs no reply; false when the agent is not connected.
    @discardableResult
    func send(sessionID: String, _ command: Netclode_V1_AgentCommand) -> Bool {
        guard let connection = connections[sessionID] else { return false }
        connection.continuation.yield(command)
        return true
    }

    /// Delivers a reply to the command waiting for it; replies nobody waits for are dropped.
    func resolve(commandID: String, _ reply: Reply) {
        replies.resumeFirst(where: { $0.commandID == commandID }, returning: reply)
    }

    /// Closes every channel (shutdown).
    func closeAll() {
        for (sessionID, connection) in connections {
            connection.continuation.finish()
            failPending(of: sessionID)
        }
        connections.removeAll()
    }

    /// A command sent to an agent that is gone will never be answered: fail it now rather than at
    /// its deadline, so callers (e.g. the broker revoking an undelivered token) act at once.
    private func failPending(of sessionID: String) {
        replies.failAll(where: { $0.sessionID == sessionID }, throwing: ControlPlaneError.unavailable("the agent of session \(sessionID) disconnected"))
    }

    private func detach(sessionID: String, generation: Int) {
        guard connections[sessionID]?.generation == generation else { return }
        connections[sessionID] = nil
        failPending(of: sessionID)
    }
}

extension Netclode_V1_AgentCommand {
    static func make(_ command: OneOf_Command) -> Netclode_V1_AgentCommand {
        var wire = Netclode_V1_AgentCommand()
        wire.id = UUID().uuidString.lowercased()
        wire.command = command
        return wire
    }
}
