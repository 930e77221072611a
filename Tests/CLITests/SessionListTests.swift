import ConnectRPC
import Foundation
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

/// `ListSessions` leaves deleted sessions out unless asked, filters by status and answers in
/// pages; `netclode session list` follows, with `--all`, `--status`, `--limit` and `--page-size`.
@Suite("Listing sessions", .serialized)
struct SessionListTests {
    static let listSessions = "netclode.v1.SessionService/ListSessions"

    /// A control plane (no GitHub App) with sessions `s0`…`s4`, of which `s1` and `s3` are deleted.
    struct Fixture {
        let server: ControlPlaneProcess
        let client: ConnectClient
        let cli: CLIRunner
        let directory: TemporaryDirectory
        /// IDs by name, in creation order.
        let ids: [String]

        func list(_ configure: (inout Netclode_V1_ListSessionsRequest) -> Void = { _ in }) async throws -> Netclode_V1_ListSessionsResponse {
            var request = Netclode_V1_ListSessionsRequest()
            configure(&request)
            return try await client.unary(SessionListTests.listSessions, request, as: Netclode_V1_ListSessionsResponse.self, timeout: .seconds(60))
        }

        func listError(_ configure: (inout Netclode_V1_ListSessionsRequest) -> Void) async -> ConnectError? {
            do {
                _ = try await list(configure)
                return nil
            } catch {
                return error as? ConnectError
            }
        }
    }

    static func withFixture(_ body: (Fixture) async throws -> Void) async throws {
        let server = try await ControlPlaneProcess.start(environment: [:])
        let directory: TemporaryDirectory
        do {
            directory = try TemporaryDirectory(prefix: "netclode-list")
        } catch {
            await server.remove()
            throw error
        }
        do {
            let client = ConnectClient(baseURL: server.baseURL.absoluteString, headers: [("Authorization", "Bearer \(ControlPlaneProcess.apiToken)")])
            var ids: [String] = []
            for index in 0..<5 {
                let created = try await client.unary(
                    "netclode.v1.SessionService/CreateSession", Netclode_V1_CreateSessionRequest.with { $0.name = "s\(index)" },
                    as: Netclode_V1_CreateSessionResponse.self, timeout: .seconds(120))
                ids.append(created.session.id)
            }
            for index in [1, 3] {
                _ = try await client.unary(
                    "netclode.v1.SessionService/DeleteSession", Netclode_V1_DeleteSessionRequest.with { $0.sessionID = ids[index] },
                    as: Netclode_V1_DeleteSessionResponse.self, timeout: .seconds(120))
            }
            let cli = CLIRunner(server: server.baseURL.absoluteString, token: ControlPlaneProcess.apiToken, workingDirectory: directory.url)
            try await body(Fixture(server: server, client: client, cli: cli, directory: directory, ids: ids))
        } catch {
            await server.remove()
            directory.remove()
            throw error
        }
        await server.remove()
        directory.remove()
    }

    @Test func theAPIFiltersAndPages() async throws {
        try await Self.withFixture { fixture in
            let ids = fixture.ids
            let live = try await fixture.list()
            #expect(live.sessions.map(\.id) == [ids[0], ids[2], ids[4]], "deleted sessions are left out by default")
            #expect(live.nextPageToken.isEmpty)
            #expect(try await fixture.list { $0.includeDeleted = true }.sessions.map(\.id) == ids, "oldest first, all of them")
            #expect(try await fixture.list { $0.statuses = ["deleted"] }.sessions.map(\.id) == [ids[1], ids[3]])
            #expect(try await fixture.list { $0.statuses = ["paused", "error"] }.sessions.isEmpty)

            // Pages of two: the same sessions, in the same order, nothing twice, nothing skipped.
            var paged: [String] = []
            var tokens: [String] = []
            var request = Netclode_V1_ListSessionsRequest.with { $0.includeDeleted = true; $0.pageSize = 2 }
            while true {
                let page = try await fixture.list { $0 = request }
                #expect(page.sessions.count <= 2)
                paged += page.sessions.map(\.id)
                if page.nextPageToken.isEmpty { break }
                tokens.append(page.nextPageToken)
                try #require(tokens.count < 10, "the pages never end")
                request.pageToken = page.nextPageToken
            }
            #expect(paged == ids)
            #expect(tokens.count == 2, "5 sessions in pages of 2: three pages")
            // A token is a position: with another filter it continues from the same place.
            #expect(try await fixture.list { $0.pageToken = tokens[0] }.sessions.map(\.id) == [ids[2], ids[4]])
            #expect(try await fixture.list { $0.pageSize = 1000 }.sessions.count == 3)

            // Bad input names the field and what would do.
            let unknown = await fixture.listError { $0.statuses = ["ready", "bogus"] }
            #expect(unknown?.code == .invalidArgument)
            #expect(unknown?.message == "statuses: unknown status \"bogus\"; valid statuses are creating, cloning, ready, paused, error, deleted",
                    "\(String(describing: unknown))")
            for size: Int32 in [-1, 1001] {
                let error = await fixture.listError { $0.pageSize = size }
                #expect(error?.code == .invalidArgument)
                #expect(error?.message.hasPrefix("pageSize must be from 1 to 1000") == true, "\(String(describing: error))")
            }
            for token in ["garbage", "djE6MTIzOg", String(repeating: "A", count: 400)] {
                let error = await fixture.listError { $0.pageToken = token }
                #expect(error?.code == .invalidArgument, "\(token)")
                #expect(error?.message.hasPrefix("pageToken is not a token this server issued") == true, "\(String(describing: error))")
            }
        }
    }

    @Test func theCLIHidesDeletedSessionsAndFollowsThePages() async throws {
        try await Self.withFixture { fixture in
            let ids = fixture.ids
            func rows(_ arguments: [String]) async throws -> [String] {
                let result = try await fixture.cli.run(["session", "list"] + arguments)
                try #require(result.exitCode == 0, "\(result.transcript)")
                return result.lines.dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) }
            }
            #expect(try await rows([]) == [ids[0], ids[2], ids[4]])
            #expect(try await rows(["--all"]) == ids)
            #expect(try await rows(["--status", "deleted"]) == [ids[1], ids[3]])
            #expect(try await rows(["--all", "--page-size", "2"]) == ids, "every page, fetched one after another")
            #expect(try await rows(["--all", "--page-size", "2", "--limit", "3"]) == Array(ids.prefix(3)))
            #expect(try await rows(["--limit", "1"]) == [ids[0]])

            let json = try await fixture.cli.run(["session", "list", "--json", "--page-size", "1"])
            #expect(json.exitCode == 0, "\(json.transcript)")
            let listed = try Netclode_V1_ListSessionsResponse(jsonString: json.stdout)
            #expect(listed.sessions.map(\.id) == [ids[0], ids[2], ids[4]])
            #expect(listed.nextPageToken.isEmpty, "every page was fetched")

            let none = try await fixture.cli.run(["session", "list", "--status", "paused"])
            #expect(none.stdout == "No sessions.\n", "\(none.transcript)")
            let bad = try await fixture.cli.run(["session", "list", "--status", "sleeping"])
            #expect(bad.exitCode == 1)
            #expect(bad.stderr.contains("unknown status \"sleeping\""), "\(bad.transcript)")
        }
    }
}
