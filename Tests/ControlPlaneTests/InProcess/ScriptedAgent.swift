@testable import ControlPlane
import NetclodeProto
import Sandbox
import Synchronization
import SwiftProtobuf
import Testing

/// Plays a session's agent against an in-process ``SessionManager``, through the same calls the
/// agent's Connect routes make (`attachAgent`, `handleReport`) and with the secret the manager put
/// in the sandbox's environment.
final class ScriptedAgent: Sendable {
    let sessionID: String
    let secret: String
    let manager: SessionManager
    /// The commands received and not yet taken.
    private final class Inbox: Sendable {
        let commands = Mutex<[Netclode_V1_AgentCommand]>([])
    }

    private let inbox = Inbox()
    private let reader: Task<Void, Never>

    private init(sessionID: String, secret: String, manager: SessionManager, commands: AsyncStream<Netclode_V1_AgentCommand>) {
        self.sessionID = sessionID
        self.secret = secret
        self.manager = manager
        let inbox = self.inbox
        reader = Task {
            for await command in commands { inbox.commands.withLock { $0.append(command) } }
        }
    }

    deinit { reader.cancel() }

    /// Attaches as the agent of `sessionID`, with the secret its (scripted) sandbox was given,
    /// once the sandbox runs (a created session's starts in the background).
    static func attach(_ sessionID: String, manager: SessionManager, runtime: ScriptedRuntime) async throws -> ScriptedAgent {
        let deadline = ContinuousClock.now + .seconds(30)
        while await !runtime.isRunning(sessionID), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let spec = try #require(await runtime.specs[sessionID], "session \(sessionID) was never started")
        let secret = try #require(spec.environment["NETCLODE_AGENT_SECRET"])
        let stream = try await manager.attachAgent(sessionID: sessionID, secret: secret)
        return ScriptedAgent(sessionID: sessionID, secret: secret, manager: manager, commands: stream)
    }

    /// The next command the control plane sent, or nil when nothing came within `timeout`.
    func next(timeout: Duration = .seconds(30)) async throws -> Netclode_V1_AgentCommand? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let command = inbox.commands.withLock { queue -> Netclode_V1_AgentCommand? in
                queue.isEmpty ? nil : queue.removeFirst()
            }
            if let command { return command }
            try await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    /// Skips commands until one that carries credentials arrives.
    func nextCredentials(timeout: Duration = .seconds(30)) async throws -> (id: String, credentials: Netclode_V1_Credentials)? {
        while let command = try await next(timeout: timeout) {
            if case .credentials(let credentials) = command.command { return (command.id, credentials) }
        }
        return nil
    }

    func acknowledge(_ commandID: String) async throws {
        try await report(.ack(.with { $0.commandID = commandID; $0.ok = true }))
    }

    func clone(_ repo: String, stage: String) async throws {
        try await report(.event(.with {
            $0.kind = "repo_clone"
            $0.repo = repo
            $0.stage = stage
        }))
    }

    func report(_ body: Netclode_V1_AgentReport.OneOf_Report) async throws {
        var report = Netclode_V1_AgentReport()
        report.sessionID = sessionID
        report.report = body
        try await manager.handleReport(report, secret: secret)
    }
}
