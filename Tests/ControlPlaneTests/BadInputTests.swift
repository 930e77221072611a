import ConnectRPC
import Foundation
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

/// Every rejected request gets the right Connect code, names what was wrong, and makes nothing:
/// no session, no sandbox, no token.
@Suite("Bad input end to end", .serialized)
struct BadInputTests {
    @Test func everyRuleIsRefusedAndNothingIsMade() async throws {
        let fixture = try await SessionsFixture.start()
        let forgeHost = fixture.forge.baseURL.absoluteString
        let badRepos = [
            "https://gitlab.com/demo/hello", "https://github.com/demo/hello", "ftp://x/demo/hello",
            forgeHost.replacingOccurrences(of: "http://", with: "http://user:pw@") + "/demo/hello",
            "demo/hello/tree/main", "demo/..", "../hello", "demo/", "/hello", "demo//hello", "",
            "-demo/hello", "de--mo/hello", "demo/hel lo", "demo/hello?x=1", "démo/hello", String(repeating: "a", count: 40) + "/r",
        ]
        for entry in badRepos {
            let error = await fixture.error("CreateSession", Netclode_V1_CreateSessionRequest.with { $0.repos = ["demo/hello", entry] })
            #expect(error?.code == .invalidArgument, "\(entry): \(String(describing: error))")
            if !entry.isEmpty { #expect(error?.message.contains(entry) == true, "the message names \(entry): \(error?.message ?? "")") }
        }
        let tooMany = (0...100).map { "demo/repo\($0)" }
        #expect(await fixture.error("CreateSession", Netclode_V1_CreateSessionRequest.with { $0.repos = tooMany })?.code == .invalidArgument)
        let wrongType = await fixture.error("CreateSession", Netclode_V1_CreateSessionRequest.with { $0.type = "session.delete" })
        #expect(wrongType?.code == .invalidArgument)
        #expect(wrongType?.message.contains("session.create") == true)
        let wrongAccess = await fixture.error("CreateSession", Netclode_V1_CreateSessionRequest.with { $0.repos = ["demo/hello"]; $0.repoAccess = "admin" })
        #expect(wrongAccess?.message == "repoAccess must be \"read\" or \"write\", got \"admin\"")
        #expect(await fixture.error("GetSession", Netclode_V1_GetSessionRequest.with { $0.sessionID = "nope" })?.code == .notFound)
        #expect(await fixture.error("GetSession", Netclode_V1_GetSessionRequest())?.code == .invalidArgument)

        // The API token.
        let anonymous = ConnectClient(baseURL: fixture.controlPlane.baseURL.absoluteString)
        #expect(await fixture.error("ListSessions", Netclode_V1_ListSessionsRequest(), client: anonymous)?.code == .unauthenticated)
        let wrong = SessionsFixture.client(for: fixture.controlPlane, token: "not-the-token-0123456789")
        #expect(await fixture.error("ListSessions", Netclode_V1_ListSessionsRequest(), client: wrong)?.code == .unauthenticated)

        let list: Netclode_V1_ListSessionsResponse = try await fixture.call("ListSessions", Netclode_V1_ListSessionsRequest())
        #expect(list.sessions.isEmpty, "no rejected request made a session")
        let stats = try await fixture.forge.stats()
        #expect(stats.mints == 0, "no token was minted for an invalid request")
        await fixture.finish()
    }

    @Test func anAgentSecretWorksForItsOwnSessionOnly() async throws {
        let fixture = try await SessionsFixture.start()
        let first = try await fixture.create(repos: [])
        let second = try await fixture.create(repos: [])
        try await fixture.waitFor(first.id, status: "ready")
        try await fixture.waitFor(second.id, status: "ready")
        let firstSecret = try #require(SandboxProcesses.agentSecret(of: first.id), "the first agent's secret (from its memory; needs root)")

        let exec = try await fixture.exec(first.id, ["sh", "-c", "echo ${NETCLODE_AGENT_SECRET:-hidden} ${NETCLODE_AGENT_SECRET_FD:-hidden}"])
        #expect(exec.stdout == "hidden hidden\n", "commands never see the agent's secret, nor where it came from")
        #expect(SandboxProcesses.variable("NETCLODE_AGENT_SECRET", of: first.id) == nil, "no sandbox process has the secret in its environment")

        for (session, secret) in [(second.id, firstSecret), (first.id, "0123456789abcdef"), ("nope", firstSecret)] {
            let agent = ConnectClient(baseURL: fixture.controlPlane.baseURL.absoluteString, codec: .proto, headers: [("Authorization", "Bearer \(secret)")])
            let stream = agent.serverStream("netclode.v1.AgentService/Attach", Netclode_V1_AttachRequest.with { $0.sessionID = session }, as: Netclode_V1_AgentCommand.self)
            do {
                for try await _ in stream { Issue.record("attached to \(session) with a wrong secret") }
                Issue.record("the stream ended without an error")
            } catch let error as ConnectError {
                #expect(error.code == .unauthenticated, "\(error)")
            }
            let report = Netclode_V1_AgentReport.with {
                $0.sessionID = session
                $0.event = .with { $0.kind = "message"; $0.message = "forged" }
            }
            do {
                _ = try await agent.unary("netclode.v1.AgentService/Report", report, as: Netclode_V1_AgentReportResponse.self)
                Issue.record("reported into \(session) with a wrong secret")
            } catch let error as ConnectError {
                #expect(error.code == .unauthenticated)
            }
        }
        await fixture.finish()
    }
}
