import ConnectRPC
import Foundation
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

/// `/metrics` end to end: a real forge, a real `netclode serve`, real agents; every scrape is
/// parsed strictly as Prometheus text.
@Suite("Metrics end to end", .serialized)
struct MetricsTests {
    static let requests = "netclode_api_requests_total"
    static let createSession = "netclode.v1.SessionService/CreateSession"
    static let getSession = "netclode.v1.SessionService/GetSession"
    static let listSessions = "netclode.v1.SessionService/ListSessions"
    static let deleteSession = "netclode.v1.SessionService/DeleteSession"
    static let watchSession = "netclode.v1.SessionService/WatchSession"

    @Test func countersFollowASessionLifecycle() async throws {
        let fixture = try await SessionsFixture.start()
        let server = fixture.controlPlane

        let idle = try await server.metrics()
        for (name, type) in [("netclode_token_mints_total", "counter"), ("netclode_token_refreshes_total", "counter"),
                             ("netclode_token_revocations_total", "counter"), ("netclode_sessions", "gauge"),
                             ("netclode_watchers", "gauge"), ("netclode_clone_duration_seconds", "histogram"),
                             ("netclode_github_api_request_duration_seconds", "histogram")] {
            #expect(idle.types[name] == type, "\(name)")
        }
        #expect(idle.value("netclode_token_mints_total") == 0)
        #expect(idle.value("netclode_sessions", ["status": "ready"]) == 0)

        // Two installations (demo, other): one token each.
        let created = try await fixture.create(repos: ["demo/hello", "other/tools"])
        try await fixture.waitFor(created.id, status: "ready")
        let ready = try await server.metrics()
        let forgeAfterCreate = try await fixture.forge.stats()
        #expect(ready.value("netclode_token_mints_total") == 2)
        #expect(ready.value("netclode_token_mints_total") == Double(forgeAfterCreate.mints))
        #expect(ready.value("netclode_token_revocations_total") == 0)
        #expect(ready.value("netclode_sessions", ["status": "ready"]) == 1)
        #expect(ready.value("netclode_sessions", ["status": "creating"]) == 0)
        #expect(ready.value(Self.requests, ["rpc": Self.createSession, "code": "ok"]) == 1)
        #expect(ready.value("netclode_clone_duration_seconds_count") == 2, "one clone per repository")
        #expect((ready.value("netclode_clone_duration_seconds_sum") ?? 0) > 0)
        #expect((ready.value("netclode_github_api_request_duration_seconds_count") ?? 0) >= 2, "at least the two mints")

        // A watcher is counted while its stream is open, and the call is counted once it ends
        // (counted from when the fixture's own wait, which watched the session, is counted).
        let settled = try await server.metrics { $0.value("netclode_watchers") == 0 && $0.sum(Self.requests, matching: ["rpc": Self.watchSession]) >= 1 }
        let watchesBefore = settled.sum(Self.requests, matching: ["rpc": Self.watchSession])
        let (firstItem, itemSeen) = AsyncStream<Void>.makeStream()
        let client = fixture.client
        let request = Netclode_V1_WatchSessionRequest.with { $0.sessionID = created.id }
        let watcher = Task {
            let stream = client.serverStream("\(SessionsFixture.service)/WatchSession", request, as: Netclode_V1_WatchSessionResponse.self)
            for try await _ in stream { itemSeen.yield() }
        }
        var items = firstItem.makeAsyncIterator()
        _ = await items.next()
        let watching = try await server.metrics()
        #expect(watching.value("netclode_watchers") == 1)
        watcher.cancel()
        let unwatched = try await server.metrics { $0.value("netclode_watchers") == 0 && $0.sum(Self.requests, matching: ["rpc": Self.watchSession]) == watchesBefore + 1 }
        #expect(unwatched.value("netclode_watchers") == 0)
        #expect(unwatched.sum(Self.requests, matching: ["rpc": Self.watchSession]) == watchesBefore + 1, "the abandoned stream is counted once")

        // Deleting revokes both tokens.
        let _: Netclode_V1_DeleteSessionResponse = try await fixture.call("DeleteSession", Netclode_V1_DeleteSessionRequest.with { $0.sessionID = created.id })
        let deleted = try await server.metrics()
        let forgeAfterDelete = try await fixture.forge.stats()
        #expect(deleted.value("netclode_token_revocations_total") == 2)
        #expect(deleted.value("netclode_token_revocations_total") == Double(forgeAfterDelete.revocations))
        #expect(deleted.value("netclode_sessions", ["status": "ready"]) == 0)
        #expect(deleted.value("netclode_sessions", ["status": "deleted"]) == 1)
        #expect(deleted.value(Self.requests, ["rpc": Self.deleteSession, "code": "ok"]) == 1)

        // Failed calls are counted with their Connect code.
        let missing = await fixture.error("GetSession", Netclode_V1_GetSessionRequest.with { $0.sessionID = "nosuchsession" })
        #expect(missing?.code == .notFound)
        let outsider = await fixture.error("CreateSession", Netclode_V1_CreateSessionRequest.with { $0.repos = ["outsider/secret"] })
        #expect(outsider?.code == .notFound)
        let stranger = SessionsFixture.client(for: server, token: "wrong-token-0123456789abcdef")
        let refused = await fixture.error("ListSessions", Netclode_V1_ListSessionsRequest(), client: stranger)
        #expect(refused?.code == .unauthenticated)
        let failed = try await server.metrics()
        #expect(failed.value(Self.requests, ["rpc": Self.getSession, "code": "not_found"]) == 1)
        #expect(failed.value(Self.requests, ["rpc": Self.createSession, "code": "not_found"]) == 1)
        #expect(failed.value(Self.requests, ["rpc": Self.createSession, "code": "ok"]) == 1, "the failure did not count as a success")
        #expect(failed.value(Self.requests, ["rpc": Self.listSessions, "code": "unauthenticated"]) == 1)
        #expect(failed.value("netclode_github_api_errors_total", ["kind": "notFound"]) == 1, "the App is not installed on outsider")
        #expect(failed.value("netclode_token_mints_total") == 2, "nothing minted for the refused session")

        // Session log lines carry the session id as metadata; tokens appear only as fingerprints.
        let logs = try String(contentsOf: server.logFile, encoding: .utf8).split(separator: "\n")
        let sessionLines = logs.filter { $0.contains("session created") || $0.contains("installation token minted") || $0.contains("agent attached") }
        #expect(sessionLines.count >= 4, "\(sessionLines)")
        #expect(sessionLines.allSatisfy { $0.contains("session_id=\(created.id)") }, "\(sessionLines)")
        await fixture.finish()
    }

    @Test func refreshesAreCountedApartFromMints() async throws {
        // 6-second tokens: a refresh about every 4 s, each with 1.8 s to spare before the old
        // token expires; the wait for two of them is bounded by a deadline, not by their pace.
        let fixture = try await SessionsFixture.start(tokenTTL: 6)
        let created = try await fixture.create(repos: ["demo/hello"])
        try await fixture.waitFor(created.id, status: "ready")
        let refreshed = try await fixture.controlPlane.metrics(within: .seconds(120)) { ($0.value("netclode_token_refreshes_total") ?? 0) >= 2 }
        #expect((refreshed.value("netclode_token_refreshes_total") ?? 0) >= 2)
        #expect(refreshed.value("netclode_token_mints_total") == 1, "a refresh is not a new lease")
        await fixture.finish()
    }

    @Test func theParserIsStrict() throws {
        let valid = """
            # HELP demo_total A counter.
            # TYPE demo_total counter
            demo_total{rpc="a/b",code="ok"} 3
            # TYPE demo_seconds histogram
            demo_seconds_bucket{le="0.5"} 1
            demo_seconds_bucket{le="+Inf"} 2
            demo_seconds_sum 0.75
            demo_seconds_count 2
            # TYPE demo_escaped gauge
            demo_escaped{path="a\\\\b \\"q\\"\\n"} -1.5e3

            """
        let parsed = try PrometheusText(valid)
        #expect(parsed.value("demo_total", ["rpc": "a/b", "code": "ok"]) == 3)
        #expect(parsed.value("demo_seconds_bucket", ["le": "+Inf"]) == 2)
        #expect(parsed.value("demo_escaped", ["path": "a\\b \"q\"\n"]) == -1500)
        for invalid in [
            "untyped_sample 1\n",                                   // no TYPE line
            "# TYPE x counter\nx 1\n# TYPE x counter\n",            // typed twice
            "# TYPE x counter\nx{a=\"1\"} one\n",                    // bad value
            "# TYPE x counter\nx{a=1} 1\n",                         // unquoted label value
            "# TYPE x counter\nx{a=\"1\",a=\"2\"} 1\n",             // duplicate label
            "# TYPE x counter\nx 1\nx 2\n",                         // duplicate series
            "# TYPE x counter\nx -1\n",                             // negative counter
            "# TYPE x counter\nx 1",                                // no final newline
            "# TYPE x countr\nx 1\n",                               // unknown type
            "# TYPE x gauge\nx{a=\"\\t\"} 1\n",                     // invalid escape
        ] {
            #expect(throws: PrometheusText.ParseError.self, "\(invalid)") { try PrometheusText(invalid) }
        }
    }
}
