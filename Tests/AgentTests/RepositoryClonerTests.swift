import Agent
import Foundation
import GitHubApp
import Testing
import TestSupport

/// Real clones from the local forge, with real installation tokens, through the real credential
/// helper (`netclode agent credential`) and the agent's credential socket.
@Suite("cloning through the credential helper", .serialized)
struct RepositoryClonerTests {
    @Test("two repositories clone in parallel into owner__repo with a write token; no token on disk")
    func parallelClone() async throws {
        try await AgentFixture.with(repos: ["demo/hello", "demo/widgets"]) { fixture in
            let tokens = try await fixture.grant(["demo/hello", "demo/widgets"], access: .write)
            let recorder = EventRecorder()
            // The directories come from the control plane's config; these are what it sends for two.
            let targets = [fixture.target("demo/hello", directory: "demo__hello"), fixture.target("demo/widgets", directory: "demo__widgets")]
            let outcomes = await fixture.cloner().cloneAll(targets, onEvent: recorder.handler)
            #expect(outcomes.map(\.succeeded) == [true, true], "\(outcomes.map(\.message))")

            for name in ["demo/hello", "demo/widgets"] {
                let events = await recorder.events(for: name)
                #expect(events.first?.kind == .starting)
                #expect(events.first?.message == "Cloning repository...")
                #expect(events.last?.kind == .done, "\(events)")
                #expect(events.filter { $0.kind == .done || $0.kind == .error }.count == 1)
                let directory = fixture.workspace.appendingPathComponent(name.replacingOccurrences(of: "/", with: "__"))
                let head = try await fixture.git(["rev-parse", "HEAD"], in: directory)
                #expect(head.succeeded, "\(head.stderr)")
                let origin = try await fixture.git(["remote", "get-url", "origin"], in: directory)
                #expect(origin.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == fixture.forge.cloneURL(name).absoluteString)
            }
            // Only the two clones: no staging directory left.
            let entries = try FileManager.default.contentsOfDirectory(atPath: fixture.workspace.path).sorted()
            #expect(entries == ["demo__hello", "demo__widgets"])

            for token in tokens {
                #expect(AgentFixture.files(containing: token.secret, under: fixture.workspace).isEmpty)
                #expect(AgentFixture.files(containing: token.secret, under: fixture.home).isEmpty)
                let config = try String(contentsOf: fixture.workspace.appendingPathComponent("demo__hello/.git/config"), encoding: .utf8)
                #expect(!config.contains(token.secret))
                #expect(!config.contains("x-access-token"))
            }

            // Restart: the same targets again are recognised, fetched, not cloned.
            let again = EventRecorder()
            let second = await fixture.cloner().cloneAll(targets, onEvent: again.handler)
            #expect(second.allSatisfy { $0.succeeded && $0.alreadyCloned })
            let againEvents = await again.events
            #expect(againEvents.count == 2)
            #expect(againEvents.allSatisfy { $0.kind == .done && $0.message == "Already cloned" }, "\(againEvents)")
        }
    }

    @Test("one repository clones into the workspace root, even next to unrelated files")
    func singleRepositoryIntoRoot() async throws {
        try await AgentFixture.with(repos: ["demo/hello"]) { fixture in
            try await fixture.grant(["demo/hello"], access: .read)
            try "notes".write(to: fixture.workspace.appendingPathComponent("NOTES.txt"), atomically: true, encoding: .utf8)
            let targets = [fixture.target("demo/hello", directory: "")]
            let recorder = EventRecorder()
            let outcomes = await fixture.cloner().cloneAll(targets, onEvent: recorder.handler)
            #expect(outcomes.first?.succeeded == true, "\(outcomes)")
            #expect(FileManager.default.fileExists(atPath: fixture.workspace.appendingPathComponent(".git").path))
            #expect(FileManager.default.fileExists(atPath: fixture.workspace.appendingPathComponent("NOTES.txt").path))
            let status = try await fixture.git(["status", "--porcelain"], in: fixture.workspace)
            #expect(status.stdout == "?? NOTES.txt\n")
            let entries = try FileManager.default.contentsOfDirectory(atPath: fixture.workspace.path)
            #expect(!entries.contains { $0.hasPrefix(".netclode-clone-") })
            for token in fixture.leased.tokens {
                #expect(AgentFixture.files(containing: token.secret, under: fixture.root.url).isEmpty)
            }
        }
    }

    @Test("a repository the token does not cover fails with Repository not found; the other still clones")
    func uncoveredRepository() async throws {
        try await AgentFixture.with(repos: ["demo/hello", "demo/secret"], uninstalledRepos: ["stranger/tool"]) { fixture in
            let tokens = try await fixture.grant(["demo/hello"], access: .write)
            let recorder = EventRecorder()
            let targets = [
                fixture.target("demo/hello", directory: "demo__hello"),
                fixture.target("demo/secret", directory: "demo__secret"),
                fixture.target("stranger/tool", directory: "stranger__tool"),
            ]
            let outcomes = await fixture.cloner().cloneAll(targets, onEvent: recorder.handler)
            #expect(outcomes.map(\.succeeded) == [true, false, false], "\(outcomes.map(\.message))")
            for failed in ["demo/secret", "stranger/tool"] {
                let events = await recorder.events(for: failed)
                let last = try #require(events.last)
                #expect(last.kind == .error)
                #expect(last.message.contains("Repository not found"), "\(last.message)")
                #expect(last.message.contains(failed), "the message names the repository: \(last.message)")
                #expect(!FileManager.default.fileExists(atPath: fixture.workspace.appendingPathComponent(failed.replacingOccurrences(of: "/", with: "__")).path),
                        "no half-made directory")
            }
            // The server's own answer when a token is offered for a repository it does not cover.
            await fixture.store.update([
                RepoCredential(host: fixture.host, owner: "demo", repositories: ["hello", "secret"], token: tokens[0].secret),
            ])
            let offered = await fixture.cloner().clone(fixture.target("demo/secret", directory: "demo__secret")) { _ in }
            #expect(!offered.succeeded)
            #expect(offered.message.contains("remote: Repository not found."), "\(offered.message)")
            #expect(offered.message.contains("not found"))

            let all = await recorder.events.map(\.message).joined(separator: "\n") + offered.message
            for token in tokens { #expect(!all.contains(token.secret)) }
            let entries = try FileManager.default.contentsOfDirectory(atPath: fixture.workspace.path)
            #expect(entries == ["demo__hello"])
        }
    }

    @Test("refused targets: credentials in the URL, a directory holding another repository, escapes")
    func refusedTargets() async throws {
        try await AgentFixture.with(repos: ["demo/hello", "demo/widgets"]) { fixture in
            let tokens = try await fixture.grant(["demo/hello", "demo/widgets"], access: .read)
            let cloner = fixture.cloner()
            var withUser = fixture.target("demo/hello", directory: "x")
            withUser.url = withUser.url.replacingOccurrences(of: "http://", with: "http://x-access-token:\(tokens[0].secret)@")
            let userOutcome = await cloner.clone(withUser) { _ in }
            #expect(!userOutcome.succeeded)
            #expect(!userOutcome.message.contains(tokens[0].secret), "\(userOutcome.message)")

            let escape = await cloner.clone(fixture.target("demo/hello", directory: "../outside")) { _ in }
            #expect(!escape.succeeded)

            #expect(await cloner.clone(fixture.target("demo/widgets", directory: "here")) { _ in }.succeeded)
            let clash = await cloner.clone(fixture.target("demo/hello", directory: "here")) { _ in }
            #expect(!clash.succeeded)
            #expect(clash.message.contains("different git repository"), "\(clash.message)")

            let duplicates = await cloner.cloneAll([fixture.target("demo/hello", directory: "d"), fixture.target("demo/widgets", directory: "d")]) { _ in }
            #expect(duplicates.map(\.succeeded) == [true, false])
        }
    }

    @Test("a new token in the store is used by the next fetch (old one revoked)")
    func tokenRotation() async throws {
        try await AgentFixture.with(repos: ["demo/hello"]) { fixture in
            let first = try await fixture.grant(["demo/hello"], access: .read)
            let outcome = await fixture.cloner().clone(fixture.target("demo/hello", directory: "")) { _ in }
            #expect(outcome.succeeded, "\(outcome.message)")
            #expect(try await fixture.git(["fetch", "origin"], in: fixture.workspace).succeeded)

            await fixture.broker.revoke(session: "s1")
            let stale = try await fixture.git(["fetch", "origin"], in: fixture.workspace)
            #expect(!stale.succeeded, "the revoked token no longer works")
            #expect(!stale.stderr.contains(first[0].secret))

            let second = try await fixture.grant(["demo/hello"], access: .read)
            #expect(second[0].secret != first[0].secret)
            let fresh = try await fixture.git(["fetch", "origin"], in: fixture.workspace)
            #expect(fresh.succeeded, "\(fresh.stderr)")
            for token in fixture.leased.tokens {
                #expect(AgentFixture.files(containing: token.secret, under: fixture.root.url).isEmpty)
            }
        }
    }

    @Test("push through the helper works with write and is denied with read")
    func pushByAccessLevel() async throws {
        try await AgentFixture.with(repos: ["demo/hello"]) { fixture in
            try await fixture.grant(["demo/hello"], access: .write)
            #expect(await fixture.cloner().clone(fixture.target("demo/hello", directory: "")) { _ in }.succeeded)
            let workspace = fixture.workspace
            try "one\n".write(to: workspace.appendingPathComponent("pushed.txt"), atomically: true, encoding: .utf8)
            _ = try await fixture.git(["add", "pushed.txt"], in: workspace)
            _ = try await fixture.git(["commit", "-m", "from the sandbox"], in: workspace)
            let pushed = try await fixture.git(["push", "origin", "HEAD"], in: workspace)
            #expect(pushed.succeeded, "\(pushed.stderr)")
            let remoteLog = try await Git.check(["--git-dir", fixture.forge.bareRepositoryPath("demo/hello"), "log", "-1", "--format=%s"])
            #expect(remoteLog.stdout == "from the sandbox\n")

            // Downgrade: a read token replaces (and revokes) the write token.
            try await fixture.grant(["demo/hello"], access: .read)
            try "two\n".write(to: workspace.appendingPathComponent("pushed.txt"), atomically: true, encoding: .utf8)
            _ = try await fixture.git(["commit", "-am", "denied"], in: workspace)
            let denied = try await fixture.git(["push", "origin", "HEAD"], in: workspace)
            #expect(!denied.succeeded)
            #expect(denied.stderr.contains("Permission to demo/hello.git denied"), "\(denied.stderr)")
            #expect(try await fixture.git(["fetch", "origin"], in: workspace).succeeded, "read still works")
        }
    }

    @Test("real git ls-remote runs `netclode agent credential get` via the helper environment")
    func lsRemoteThroughEnvironmentConfiguration() async throws {
        try await AgentFixture.with(repos: ["demo/hello"]) { fixture in
            try await fixture.grant(["demo/hello"], access: .read)
            // No .gitconfig this time: the helper comes only from GIT_CONFIG_COUNT & co.
            var environment = fixture.gitEnvironment
            environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
            environment.merge(fixture.helper.environment) { $1 }
            let url = fixture.forge.cloneURL("demo/hello").absoluteString
            let listed = try await Git.run(["ls-remote", url], environment: environment)
            #expect(listed.succeeded, "\(listed.stderr)")
            #expect(listed.stdout.contains("refs/heads/"))

            // Without the helper git has no credential and cannot prompt.
            var bare = fixture.gitEnvironment
            bare["GIT_CONFIG_GLOBAL"] = "/dev/null"
            let refused = try await Git.run(["ls-remote", url], environment: bare)
            #expect(!refused.succeeded)
            #expect(refused.stderr.contains("terminal prompts disabled") || refused.stderr.contains("could not read Username"), "\(refused.stderr)")
        }
    }

    @Test("a bigger repository reports percentages while cloning")
    func progressOfBiggerRepository() async throws {
        let source = try TemporaryDirectory(prefix: "netclode-big")
        defer { source.remove() }
        try await Self.makeBigRepository(at: source.url)
        try await AgentFixture.with(repos: ["demo/hello"], imports: ["demo/big=\(source.path)"]) { fixture in
            let tokens = try await fixture.grant(["demo/big"], access: .read)
            let recorder = EventRecorder()
            let start = ContinuousClock.now
            let outcome = await fixture.cloner().clone(fixture.target("demo/big", directory: "demo__big"), onEvent: recorder.handler)
            let agentElapsed = ContinuousClock.now - start
            #expect(outcome.succeeded, "\(outcome.message)")
            let events = await recorder.events
            let progress = events.filter { if case .cloning = $0.kind { return true } else { return false } }
            #expect(!progress.isEmpty, "no progress events: \(events)")
            #expect(progress.contains { $0.phase == "Receiving objects" && ($0.percent ?? -1) >= 0 }, "\(progress)")
            #expect(progress.contains { $0.percent == 100 })
            // Throttled: far fewer events than git's per-percent updates.
            #expect(progress.count < 60, "\(progress.count) progress events")

            // Plain git clone of the same repository, same forge, token in an extra header.
            let plainDirectory = fixture.root.url.appendingPathComponent("plain")
            let basic = Data("x-access-token:\(tokens[0].secret)".utf8).base64EncodedString()
            let plainStart = ContinuousClock.now
            let plain = try await Git.run(["-c", "http.extraHeader=Authorization: Basic \(basic)", "clone", "--progress",
                                           fixture.forge.cloneURL("demo/big").absoluteString, plainDirectory.path])
            let plainElapsed = ContinuousClock.now - plainStart
            #expect(plain.succeeded)
            print("clone of demo/big (\(Self.size(of: fixture.forge.bareRepository("demo/big"))) bytes packed): agent \(agentElapsed), plain git \(plainElapsed), \(progress.count) progress events")
        }
    }

    @Test("blobless clone works through the helper (file contents fetched lazily)")
    func bloblessClone() async throws {
        try await AgentFixture.with(repos: ["demo/hello"]) { fixture in
            try await fixture.grant(["demo/hello"], access: .read)
            let outcome = await fixture.cloner(.init(blobless: true)).clone(fixture.target("demo/hello", directory: "")) { _ in }
            #expect(outcome.succeeded, "\(outcome.message)")
            let filter = try await fixture.git(["config", "remote.origin.partialclonefilter"], in: fixture.workspace)
            #expect(filter.stdout == "blob:none\n")
        }
    }

    // MARK: Helpers

    /// ~2 MB of incompressible files over a few commits.
    static func makeBigRepository(at url: URL) async throws {
        try await Git.check(["init", "-q", "-b", "main", url.path])
        var generator = SystemRandomNumberGenerator()
        for commit in 0..<4 {
            for file in 0..<60 {
                let bytes = (0..<6_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
                try Data(bytes).base64EncodedString(options: .lineLength76Characters)
                    .write(to: url.appendingPathComponent("file-\(commit)-\(file).txt"), atomically: false, encoding: .utf8)
            }
            try await Git.check(["add", "."], in: url)
            try await Git.check(["commit", "-q", "-m", "commit \(commit)"], in: url)
        }
    }

    static func size(of directory: URL) -> Int {
        var total = 0
        if let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.fileSizeKey]) {
            for case let url as URL in enumerator {
                total += (try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
            }
        }
        return total
    }
}
