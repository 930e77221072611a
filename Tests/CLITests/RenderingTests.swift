import Foundation
import NetclodeProto
import SwiftProtobuf
import Testing
@testable import netclode

/// The pieces of human output that the end-to-end tests cannot see: the live progress bars drawn
/// only on a terminal, and the formatting helpers.
@Suite("client rendering")
struct RenderingTests {
    static func cloneEvent(_ repo: String, _ stage: String, message: String = "", phase: String = "", percent: Int32? = nil) -> Netclode_V1_AgentEvent {
        .with {
            $0.kind = "repo_clone"
            $0.repo = repo
            $0.stage = stage
            $0.message = message
            $0.phase = phase
            if let percent { $0.percent = percent }
        }
    }

    @Test("repository names from clone URLs and references")
    func repoNames() {
        #expect(Formatting.repoName("https://github.com/Owner/Repo.git") == "Owner/Repo")
        #expect(Formatting.repoName("http://127.0.0.1:8790/demo/hello.git") == "demo/hello")
        #expect(Formatting.repoName("owner/repo") == "owner/repo")
        #expect(Formatting.repoName("weird") == "weird")
    }

    @Test("clone progress: stage changes, progress ticks, and no reopening after the end")
    func progress() {
        let hello = "https://github.com/demo/hello.git"
        var progress = CloneProgress(repos: [hello, "https://github.com/demo/widgets.git"])
        #expect(progress.apply(Self.cloneEvent(hello, "starting", message: "Cloning repository...")) == .stage(index: 0))
        #expect(progress.apply(Self.cloneEvent(hello, "cloning", phase: "Receiving objects", percent: 10)) == .stage(index: 0))
        #expect(progress.apply(Self.cloneEvent(hello, "cloning", phase: "Receiving objects", percent: 60)) == .progress(index: 0))
        #expect(progress.repos[0].percent == 60)
        #expect(progress.apply(Self.cloneEvent(hello, "done", message: "Cloned into demo__hello")) == .stage(index: 0))
        #expect(progress.apply(Self.cloneEvent(hello, "cloning", phase: "Receiving objects", percent: 70)) == .none)
        #expect(progress.apply(Self.cloneEvent("https://github.com/demo/new.git", "error", message: "Repository not found")) == .stage(index: 2))
        var status = Netclode_V1_AgentEvent()
        status.kind = "session_status"
        #expect(progress.apply(status) == .none)
    }

    @Test("live lines: a bar with phase and percent, then ✓ or ✗ with the message")
    func liveLines() {
        var repo = CloneProgress.Repo(url: "x", name: "demo/hello")
        repo.stage = "cloning"
        repo.phase = "Receiving objects"
        repo.percent = 50
        let line = CloneProgressView.liveLine(repo, nameWidth: 12)
        #expect(line == "  demo/hello    [" + String(repeating: "█", count: 12) + String(repeating: "░", count: 12) + "]   50% Receiving objects")
        repo.stage = "done"
        repo.message = "Cloned into demo__hello"
        #expect(CloneProgressView.liveLine(repo, nameWidth: 10) == "✓ demo/hello  Cloned into demo__hello")
        repo.stage = "error"
        repo.message = "Repository not found"
        #expect(CloneProgressView.liveLine(repo, nameWidth: 10) == "✗ demo/hello  Repository not found")
        #expect(CloneProgressView.plainLine(repo) == "✗ demo/hello: error — Repository not found")
        #expect(CloneProgressView.bar(0) == "[" + String(repeating: "░", count: 24) + "]")
        #expect(CloneProgressView.bar(150) == "[" + String(repeating: "█", count: 24) + "]")
    }

    @Test("list table: aligned columns, repo names or a count, compact ages")
    func table() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        let sessions: [Netclode_V1_Session] = [
            .with {
                $0.id = "a1"; $0.name = "short"; $0.status = "ready"; $0.repoAccess = "write"
                $0.repos = ["https://github.com/o/a.git", "https://github.com/o/b.git"]
                $0.createdAt = Google_Protobuf_Timestamp(date: now.addingTimeInterval(-7200))
            },
            .with {
                $0.id = "b2"; $0.name = "many-repos"; $0.status = "cloning"
                $0.repos = (1...9).map { "https://github.com/owner/repository-\($0).git" }
                $0.createdAt = Google_Protobuf_Timestamp(date: now.addingTimeInterval(-5))
            },
        ]
        #expect(SessionRendering.table(sessions, now: now) == """
            ID  NAME        STATUS   ACCESS  REPOS    AGE
            a1  short       ready    write   o/a,o/b  2h
            b2  many-repos  cloning  -       9 repos  5s
            """)
        #expect(Formatting.age(of: now.addingTimeInterval(-3 * 86_400), now: now) == "3d")
    }

    @Test("event lines name the kind, the repo, the stage and the message")
    func eventLines() {
        var item = Netclode_V1_WatchSessionResponse()
        item.type = "agent.event"
        item.event = Self.cloneEvent("https://github.com/demo/hello.git", "cloning", phase: "Receiving objects", percent: 45)
        #expect(EventRendering.line(item) == "--:--:-- repo_clone demo/hello cloning Receiving objects 45%")
        var access = Netclode_V1_AgentEvent()
        access.kind = "repo_access"
        access.repoAccess = "write"
        access.message = "Access changed"
        #expect(EventRendering.line(access) == "--:--:-- repo_access write Access changed")

        // Runs: the output itself, and how the run ended with what it pushed.
        let output = Netclode_V1_AgentEvent.with {
            $0.kind = "agent_output"
            $0.runID = "run-1"
            $0.stream = "stderr"
            $0.data = "compiling\n"
        }
        #expect(EventRendering.line(output) == "--:--:-- agent_output stderr compiling")
        let end = Netclode_V1_AgentEvent.with {
            $0.kind = "run"
            $0.runID = "run-1"
            $0.stage = "finished"
            $0.message = "Exited with code 0"
            $0.exitCode = 0
            $0.durationMs = 12_300
            $0.pushes = [.with { $0.repo = "demo/hello"; $0.branch = "fix"; $0.commits = 2; $0.created = true }]
        }
        #expect(EventRendering.line(end) == "--:--:-- run run-1 finished: Exited with code 0; 12.3 s; pushed demo/hello fix (2 commits, new)")
    }
}
