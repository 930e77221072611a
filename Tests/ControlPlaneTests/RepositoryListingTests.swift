import ConnectRPC
import Foundation
import GitHubApp
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

/// `netclode.v1.GitHubService/ListRepos` against a real forge and `netclode serve`, and the
/// "Resource not accessible by integration" answer for a repo its owner's installation leaves out.
@Suite("Repository listing", .serialized)
struct RepositoryListingTests {
    static let listRepos = "netclode.v1.GitHubService/ListRepos"

    func list(_ fixture: SessionsFixture) async throws -> Netclode_V1_ListReposResponse {
        try await fixture.client.unary(Self.listRepos, Netclode_V1_ListReposRequest(), as: Netclode_V1_ListReposResponse.self, timeout: .seconds(60))
    }

    func listError(_ client: ConnectClient) async -> ConnectError? {
        do {
            _ = try await client.unary(Self.listRepos, Netclode_V1_ListReposRequest(), as: Netclode_V1_ListReposResponse.self, timeout: .seconds(30))
            Issue.record("ListRepos succeeded, expected an error")
            return nil
        } catch let error as ConnectError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func listsWhatTheInstallationsReachWithShortLivedReadOnlyTokens() async throws {
        let fixture = try await SessionsFixture.start(repos: ["demo/hello", "demo/widgets", "other/tools"], uninstalledRepos: ["outsider/secret"])
        let demo = try #require(fixture.forge.installationIDs["demo"])
        let other = try #require(fixture.forge.installationIDs["other"])
        let before = try await fixture.forge.stats()

        let response = try await list(fixture)
        #expect(response.repositories.map(\.fullName) == ["demo/hello", "demo/widgets", "other/tools"], "not outsider/secret")
        #expect(response.repositories.map(\.installationID) == [Int64(demo), Int64(demo), Int64(other)])
        #expect(response.repositories.map(\.owner) == ["demo", "demo", "other"])
        #expect(response.repositories.map(\.cloneURL) == ["demo/hello", "demo/widgets", "other/tools"].map { fixture.forge.cloneURL($0).absoluteString })
        #expect(response.repositories.allSatisfy { $0.defaultBranch == "main" })

        // One mint and one revocation per installation, per listing.
        let installations = fixture.forge.installationIDs.count
        let after = try await fixture.forge.stats()
        #expect(after.mints - before.mints == installations)
        #expect(after.revocations - before.revocations == installations)
        #expect(after.mintsByInstallation["\(demo)", default: 0] - before.mintsByInstallation["\(demo)", default: 0] == 1)
        #expect(after.mintsByInstallation["\(other)", default: 0] - before.mintsByInstallation["\(other)", default: 0] == 1)
        _ = try await list(fixture)
        let again = try await fixture.forge.stats()
        #expect(again.mints - after.mints == installations, "nothing cached: each listing mints afresh")
        #expect(again.mints - before.mints == again.revocations - before.revocations, "every listing token revoked")

        // The forge logs each mint's permissions: the listing tokens asked for metadata only.
        let mintLines = fixture.forge.logs().split(separator: "\n").filter { $0.contains("minted installation token") }
        #expect(mintLines.count == again.mints)
        #expect(mintLines.allSatisfy { $0.contains("metadata:read") && !$0.contains("contents") }, "\(mintLines)")

        // The JSON form is camelCase proto3 JSON.
        let json = try response.jsonString()
        #expect(json.contains("\"fullName\":\"demo/hello\"") && json.contains("\"installationId\":\"\(demo)\""), "\(json)")
        await fixture.finish()
    }

    @Test func aListingTokenCanListButCarriesNoContentsPermission() async throws {
        try await ForgeProcess.with(.init(repos: ["demo/hello", "demo/widgets"])) { forge in
            let configuration = try GitHubAppConfiguration(settings: EnvironmentSettings(ControlPlaneProcess.githubEnvironment(for: forge)))
            let client = GitHubAPIClient(configuration: configuration, logger: LogCapture().logger(label: "listing"))
            let installations = try await client.installations()
            #expect(installations.map(\.id) == [try #require(forge.installationIDs["demo"])])

            let token = try await client.createListingToken(installationID: installations[0].id, owner: "demo")
            #expect(token.permissions == ["metadata": "read"])
            #expect(token.repositories.isEmpty)
            #expect(try await client.repositories(accessibleWith: token).map(\.fullName).sorted() == ["demo/hello", "demo/widgets"])

            // The forge does not (yet) refuse git reads to a token without `contents`, so what is
            // asserted is what GitHub enforces on: the token carries no `contents` permission at all.
            #expect(token.permissions["contents"] == nil)
            let mint = fixtureMintLine(forge)
            #expect(mint?.contains("metadata:read") == true && mint?.contains("contents") == false, "the forge saw a metadata-only request: \(String(describing: mint))")

            try await client.revoke(token)
            let stats = try await forge.stats()
            #expect(stats.mints == 1 && stats.revocations == 1)
        }
    }

    @Test func withoutAppSettingsTheListingIsAFailedPrecondition() async throws {
        let fixture = try await SessionsFixture.start(withGitHubApp: false)
        let error = await listError(fixture.client)
        #expect(error?.code == .failedPrecondition, "\(String(describing: error))")
        #expect(error?.message.hasPrefix("GitHub App not configured") == true, "\(String(describing: error?.message))")
        #expect(error?.message.contains("GITHUB_APP_ID") == true)

        let unauthenticated = await listError(SessionsFixture.client(for: fixture.controlPlane, token: "wrong"))
        #expect(unauthenticated?.code == .unauthenticated)
        await fixture.finish()
    }

    @Test func aRepoTheInstallationDoesNotCoverIsNotAccessibleByIntegration() async throws {
        let fixture = try await SessionsFixture.start(repos: ["demo/hello"], uninstalledRepos: ["demo/private"])
        let error = await fixture.error("CreateSession", Netclode_V1_CreateSessionRequest.with {
            $0.type = "session.create"
            $0.name = "uncovered"
            $0.repos = ["demo/hello", "demo/private"]
        })
        #expect(error?.code == .permissionDenied, "\(String(describing: error))")
        let message = error?.message ?? ""
        #expect(message.hasPrefix("Resource not accessible by integration"), "\(message)")
        #expect(message.contains("demo/private"))
        #expect(!message.contains("demo/hello"), "only the uncovered repo is named: \(message)")
        let sessions: Netclode_V1_ListSessionsResponse = try await fixture.call("ListSessions", Netclode_V1_ListSessionsRequest())
        #expect(sessions.sessions.isEmpty, "a refused request leaves no session behind")
        await fixture.finish()
    }

    /// The forge's log line for its most recent mint.
    func fixtureMintLine(_ forge: ForgeProcess) -> String? {
        forge.logs().split(separator: "\n").last { $0.contains("minted installation token") }.map(String.init)
    }
}
