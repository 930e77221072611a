import ConnectRPC
import Foundation
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

/// Scripted agents: `sh -c` scripts given as the agent command, so they run inside the sandbox
/// (which sees the system's binaries and the session's directory, not the test's files). The
/// prompt arrives as `$1` (`{prompt}` form) or on standard input.
enum AgentScript {
    static func command(_ script: String) -> [String] { ["sh", "-c", script, "agent", "{prompt}"] }
    static func json(_ script: String) -> String { json(command(script)) }
    static func json(_ command: [String]) -> String {
        String(decoding: try! JSONEncoder().encode(command), as: UTF8.self)
    }
}

/// What a `RunPrompt` streamed.
struct RunTranscript {
    var responses: [Netclode_V1_RunPromptResponse] = []

    var events: [Netclode_V1_AgentEvent] { responses.map(\.event) }
    var runID: String { responses.first?.runID ?? "" }
    var end: Netclode_V1_AgentEvent? { events.last { $0.kind == "run" && $0.stage != "started" } }
    func output(_ stream: String = "stdout") -> String {
        events.filter { $0.kind == "agent_output" && $0.stream == stream }.map(\.data).joined()
    }
}

extension SessionsFixture {
    static func runRequest(_ sessionID: String, _ prompt: String, queue: Bool = false, timeout: Int32 = 0) -> Netclode_V1_RunPromptRequest {
        .with {
            $0.sessionID = sessionID
            $0.prompt = prompt
            $0.queue = queue
            $0.timeoutSeconds = timeout
        }
    }

    /// Runs `prompt` and collects the stream to its end (generous deadline: a loaded CI).
    func run(_ sessionID: String, _ prompt: String, queue: Bool = false, timeout: Int32 = 0, deadline: Duration = .seconds(240),
             codec: ConnectCodec = .json, keep: Bool = true,
             onResponse: @escaping @Sendable (Netclode_V1_RunPromptResponse) async -> Void = { _ in }) async throws -> RunTranscript {
        let client = codec == .json ? self.client : Self.client(for: controlPlane, codec: codec)
        let stream = client.serverStream("\(Self.service)/RunPrompt", Self.runRequest(sessionID, prompt, queue: queue, timeout: timeout), as: Netclode_V1_RunPromptResponse.self)
        let transcript = try await withDeadline(deadline) {
            var transcript = RunTranscript()
            for try await response in stream {
                if keep || response.event.kind != "agent_output" { transcript.responses.append(response) }
                await onResponse(response)
            }
            return transcript
        }
        return try #require(transcript, "the run in session \(sessionID) did not end within \(deadline)")
    }

    /// The Connect error a `RunPrompt` fails with.
    func runError(_ request: Netclode_V1_RunPromptRequest) async -> ConnectError? {
        do {
            for try await _ in client.serverStream("\(Self.service)/RunPrompt", request, as: Netclode_V1_RunPromptResponse.self) {}
            Issue.record("RunPrompt succeeded, expected an error")
        } catch let error as ConnectError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return nil
    }

    /// A session that is ready (clones done).
    func readySession(repos: [String] = [], access: String = "", configure: (inout Netclode_V1_CreateSessionRequest) -> Void = { _ in }) async throws -> Netclode_V1_Session {
        let session = try await create(repos: repos, access: access, configure: configure)
        return try await waitFor(session.id, status: "ready", timeout: .seconds(120))
    }
}
