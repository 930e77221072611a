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

    private var secrets: [String: String] = [:]
    private var connections: [String: Connection] = [:]
    private var pending: [String: CheckedContinuation<Reply, any Error>] = [:]
    /// The session each pending command was sent to, so a closing channel fails them at once.
    private var pendingSession: [String: String] = [:]
    private var attachWaiters: [String: [CheckedContinuation<Void, Never>]] = [:]
    private var generation = 0

    /// Allows `secret` to attach as `sessionID` (replacing any earlier secret).
    func register(sessionID: String, secret: String) {
        secrets[sessionID] = secret
    }

    /// Forgets a session: its secret stops working and its channel closes.
    func unregister(sessionID: String) {
        secrets[sessionID] = nil
        connections.removeValue(forKey: sessionID)?.continuation.finish()
        failPending(of: sessionID)
    }

    /// True when `secret` is the one registered for `sessionID`: another session's secret is useless.
    func verify(sessionID: String, secret: String) -> Bool {
        guard let expected = secrets[sessionID] else { return false }
        return ConstantTime.equals(expected, secret)
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
        for waiter in attachWaiters.removeValue(forKey: sessionID) ?? [] { waiter.resume() }
        return stream
    }

    func isAttached(_ sessionID: String) -> Bool { connections[sessionID] != nil }

    /// Waits until the session's agent is attached, or `timeout` passes. Returns whether it is.
    func waitUntilAttached(_ sessionID: String, timeout: Duration) async -> Bool {
        if connections[sessionID] != nil { return true }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.releaseAttachWaiters(sessionID)
        }
        await withCheckedContinuation { continuation in attachWaiters[sessionID, default: []].append(continuation) }
        timer.cancel()
        return connections[sessionID] != nil
    }

    /// Sends `command` and waits for its reply (an ack or an exec result) for at most `timeout`.
    func request(sessionID: String, _ command: Netclode_V1_AgentCommand, timeout: Duration) async throws -> Reply {
        guard let connection = connections[sessionID] else {
            throw ControlPlaneError.unavailable("the agent of session \(sessionID) is not connected")
        }
        let id = command.id
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            await self?.fail(id, ControlPlaneError.deadlineExceeded("the agent of session \(sessionID) did not answer within \(timeout)"))
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            pending[id] = continuation
            pendingSession[id] = sessionID
            connection.continuation.yield(command)
        }
    }

    /// Sends a command that needs no reply.
    func send(sessionID: String, _ command: Netclode_V1_AgentCommand) {
        connections[sessionID]?.continuation.yield(command)
    }

    /// Delivers a reply to the command waiting for it; replies nobody waits for are dropped.
    func resolve(commandID: String, _ reply: Reply) {
        pendingSession[commandID] = nil
        pending.removeValue(forKey: commandID)?.resume(returning: reply)
    }

    /// Closes every channel (shutdown).
    func closeAll() {
        for (sessionID, connection) in connections {
            connection.continuation.finish()
            failPending(of: sessionID)
        }
        connections.removeAll()
    }

    private func fail(_ commandID: String, _ error: any Error) {
        pendingSession[commandID] = nil
        pending.removeValue(forKey: commandID)?.resume(throwing: error)
    }

    /// A command sent to an agent that is gone will never be answered: fail it now rather than at
    /// its deadline, so callers (e.g. the broker revoking an undelivered token) act at once.
    private func failPending(of sessionID: String) {
        for (commandID, session) in pendingSession where session == sessionID {
            fail(commandID, ControlPlaneError.unavailable("the agent of session \(sessionID) disconnected"))
        }
    }

    private func detach(sessionID: String, generation: Int) {
        guard connections[sessionID]?.generation == generation else { return }
        connections[sessionID] = nil
        failPending(of: sessionID)
    }

    private func releaseAttachWaiters(_ sessionID: String) {
        for waiter in attachWaiters.removeValue(forKey: sessionID) ?? [] { waiter.resume() }
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
