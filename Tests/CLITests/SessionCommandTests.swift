import Foundation
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

/// `netclode session ...` end to end: the real binary against a real control plane and forge.
@Suite("netclode session", .serialized)
struct SessionCommandTests {
    @Test("create --watch, list, get, exec, events and delete of a two-repo write session")
    func lifecycle() async throws {
        try await CLIFixture.with { fixture in
            let cli = fixture.cli

            // create --watch (stdout is a pipe: plain lines per stage, no escape sequences)
            let create = try await cli.run(["session", "create", "--repo", "demo/hello", "--repo", "demo/widgets",
                                            "--access", "write", "--name", "cli-test", "--watch"])
            try #require(create.exitCode == 0, "\(create.transcript)")
            let id = try #require(Self.sessionID(fromCreate: create.stdout), "\(create.transcript)")
            // The agent may attach before the response is built, so the status shown is either.
            #expect(["creating", "cloning", "ready"].contains { create.stdout.contains("Created session \(id) (cli-test): \($0)") }, "\(create.stdout)")
            #expect(create.stdout.contains("demo/hello: starting — Cloning repository..."))
            #expect(create.stdout.contains("✓ demo/hello: done"))
            #expect(create.stdout.contains("✓ demo/widgets: done"))
            #expect(create.lines.last == "Session \(id) is ready")
            #expect(!create.stdout.contains("\u{1B}"), "no terminal control sequences when stdout is not a terminal")

            // list: a table row, and the same as JSON
            let list = try await cli.run(["session", "list"])
            #expect(list.exitCode == 0)
            #expect(list.lines.first?.split(separator: " ", omittingEmptySubsequences: true) == ["ID", "NAME", "STATUS", "ACCESS", "REPOS", "AGE"])
            let row = try #require(list.lines.first { $0.hasPrefix(id) }, "\(list.transcript)")
            #expect(row.split(separator: " ", omittingEmptySubsequences: true).prefix(5) == [Substring(id), "cli-test", "ready", "write", "demo/hello,demo/widgets"])

            let listJSON = try await cli.run(["session", "list", "--json"])
            #expect(listJSON.exitCode == 0)
            #expect(listJSON.lines.count == 1)
            let listed = try Netclode_V1_ListSessionsResponse(jsonString: listJSON.stdout)
            let session = try #require(listed.sessions.first { $0.id == id })
            #expect(session.status == "ready")
            #expect(session.repoAccess == "write")
            #expect(session.repos.count == 2)

            // get: every field and each repo's clone status
            let get = try await cli.run(["session", "get", id])
            #expect(get.exitCode == 0)
            for expected in ["ID:       \(id)", "Name:     cli-test", "Status:   ready", "Access:   write", "Created:  ", "Updated:  ",
                             "demo/hello.git", "Cloned into demo__hello", "demo/widgets.git", "Cloned into demo__widgets"] {
                #expect(get.stdout.contains(expected), "\(expected) missing from\n\(get.stdout)")
            }
            let getJSON = try await cli.run(["session", "get", id, "--json"])
            #expect(try Netclode_V1_GetSessionResponse(jsonString: getJSON.stdout).session.repoStatus.map(\.stage) == ["done", "done"])

            // exec: output passes through, the exit code is the command's
            let log = try await cli.run(["session", "exec", id, "--workdir", "demo__hello", "--", "git", "log", "--oneline"])
            #expect(log.exitCode == 0, "\(log.transcript)")
            #expect(log.stdout.contains("Initial commit"))
            let failing = try await cli.run(["session", "exec", id, "--timeout", "30", "--", "sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3"])
            #expect(failing.exitCode == 3, "\(failing.transcript)")
            #expect(failing.stdout == "to-stdout\n")
            #expect(failing.stderr == "to-stderr\n")
            let execJSON = try await cli.run(["session", "exec", id, "--json", "--", "sh", "-c", "exit 5"])
            #expect(execJSON.exitCode == 5)
            #expect(try Netclode_V1_ExecResponse(jsonString: execJSON.stdout).exitCode == 5)

            // events: the history, rendered, then the command stops by itself
            let events = try await cli.run(["session", "events", id], timeout: .seconds(30))
            #expect(events.exitCode == 0, "\(events.transcript)")
            #expect(events.lines.contains { $0.range(of: #"^\d\d:\d\d:\d\d repo_clone demo/hello starting Cloning repository\.\.\.$"#, options: .regularExpression) != nil },
                    "\(events.stdout)")
            #expect(events.lines.contains { $0.hasSuffix("repo_clone demo/widgets done Cloned into demo__widgets") })
            #expect(events.lines.last?.hasSuffix("session.updated ready") == true)

            let eventsJSON = try await cli.run(["session", "events", id, "--json"], timeout: .seconds(30))
            #expect(eventsJSON.exitCode == 0)
            let items = try eventsJSON.lines.map { try Netclode_V1_WatchSessionResponse(jsonString: $0) }
            let agentEvents = items.filter { $0.type == "agent.event" }
            #expect(agentEvents.count >= 4)
            #expect(agentEvents.allSatisfy { !$0.cursor.isEmpty && $0.sessionID == id })
            #expect(agentEvents.contains { $0.event.kind == "repo_clone" && $0.event.stage == "done" })
            #expect(items.last?.type == "session.updated")
            #expect(eventsJSON.lines.first?.contains(#""cursor":"#) == true)

            // --after: only what came after that cursor
            let lastCursor = try #require(agentEvents.last?.cursor)
            let after = try await cli.run(["session", "events", id, "--json", "--after", lastCursor], timeout: .seconds(30))
            #expect(after.exitCode == 0)
            #expect(try after.lines.map { try Netclode_V1_WatchSessionResponse(jsonString: $0).type } == ["session.updated"])

            // delete, then get shows it deleted
            let delete = try await cli.run(["session", "delete", id])
            #expect(delete.exitCode == 0, "\(delete.transcript)")
            #expect(delete.stdout == "Deleted session \(id): deleted\n")
            let deleted = try await cli.run(["session", "get", id])
            #expect(deleted.exitCode == 0)
            #expect(deleted.stdout.contains("Status:   deleted"))
            let execDeleted = try await cli.run(["session", "exec", id, "--", "true"])
            #expect(execDeleted.exitCode == 1)
            #expect(execDeleted.stderr.hasPrefix("error: "))

            // create --json --watch: the create response, then watch items up to the ready session
            let created = try await cli.run(["session", "create", "--repo", "demo/hello", "--blobless", "--watch", "--json"])
            try #require(created.exitCode == 0, "\(created.transcript)")
            let response = try Netclode_V1_CreateSessionResponse(jsonString: try #require(created.lines.first))
            #expect(response.session.repos.count == 1)
            let watched = try created.lines.dropFirst().map { try Netclode_V1_WatchSessionResponse(jsonString: $0) }
            #expect(watched.contains { $0.event.kind == "repo_clone" && $0.event.stage == "done" })
            #expect(watched.last?.type == "session.updated")
            #expect(watched.last?.session.status == "ready")
            #expect(watched.last?.session.id == response.session.id)
        }
    }

    @Test("server errors: an uninstalled repo, an unknown session, a wrong token")
    func serverErrors() async throws {
        try await CLIFixture.with { fixture in
            let secret = try await fixture.cli.run(["session", "create", "--repo", "outsider/secret", "--watch"])
            #expect(secret.exitCode == 1, "\(secret.transcript)")
            #expect(secret.stderr.hasPrefix("error: Repository not found: outsider/secret"), "\(secret.stderr)")
            #expect(secret.stderr.split(separator: "\n").count == 1)
            #expect(secret.stdout.isEmpty)

            let list = try await fixture.cli.run(["session", "list", "--json"])
            #expect(try Netclode_V1_ListSessionsResponse(jsonString: list.stdout).sessions.isEmpty, "a refused create leaves no session")
            let human = try await fixture.cli.run(["session", "list"])
            #expect(human.stdout == "No sessions (deleted ones are hidden; --all shows them).\n")

            let unknown = try await fixture.cli.run(["session", "get", "no-such-session"])
            #expect(unknown.exitCode == 1)
            #expect(unknown.stderr.hasPrefix("error: ") && unknown.stderr.contains("not found"), "\(unknown.stderr)")

            var wrongToken = fixture.cli
            wrongToken.token = "not-the-token-0123456789"
            let rejected = try await wrongToken.run(["session", "list"])
            #expect(rejected.exitCode == 2, "\(rejected.transcript)")
            #expect(rejected.stderr.hasPrefix("error: invalid API token"))
            #expect(rejected.stderr.contains("unauthenticated"))
            // --token wins over the environment
            let fixed = try await wrongToken.run(["session", "list", "--token", ControlPlaneProcess.apiToken])
            #expect(fixed.exitCode == 0, "\(fixed.transcript)")
        }
    }

    /// The id in `Created session ID (NAME): STATUS`.
    static func sessionID(fromCreate stdout: String) -> String? {
        guard let line = stdout.split(separator: "\n").first, line.hasPrefix("Created session ") else { return nil }
        return line.dropFirst("Created session ".count).split(separator: " ").first.map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: ":")) }
    }
}
