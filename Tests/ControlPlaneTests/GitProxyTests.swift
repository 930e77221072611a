import AsyncHTTPClient
import ConnectRPC
import Foundation
import NetclodeClient
import NIOCore
import NIOHTTP1
import NetclodeProto
import Subprocess
import SwiftProtobuf
import Testing
import TestSupport

/// Proxy-mode sessions through real git, a real agent and the forge: no token in the sandbox, every
/// push judged by the access level and the push policy, answered in git's own output, audited.
@Suite("Git proxy end to end", .serialized)
struct GitProxyTests {
    /// A proxy-mode session on the forge, ready, with a git identity.
    func session(_ fixture: SessionsFixture, repos: [String] = ["demo/hello"], access: String = "write",
                 policy: Netclode_V1_PushPolicy? = nil) async throws -> String {
        let created = try await fixture.create(repos: repos, access: access) {
            $0.credentialMode = "proxy"
            if let policy { $0.pushPolicy = policy }
        }
        #expect(created.credentialMode == "proxy")
        try await fixture.waitFor(created.id, status: "ready")
        return created.id
    }

    /// The forge's refs of `repo` (`refs/... id` lines): what GitHub holds, read from its side.
    func forgeRefs(_ fixture: SessionsFixture, _ repo: String) async throws -> String {
        let result = try await Subprocess.run(.name("git"), arguments: ["--git-dir", fixture.forge.bareRepositoryPath(repo), "show-ref"],
                                              output: .string(limit: 1 << 20), error: .discarded)
        return result.standardOutput
    }

    func push(_ fixture: SessionsFixture, _ id: String, _ script: String) async throws -> Netclode_V1_ExecResponse {
        try await fixture.exec(id, ["sh", "-c", script])
    }

    func setPolicy(_ fixture: SessionsFixture, _ id: String, _ policy: Netclode_V1_PushPolicy?) async throws {
        let _: Netclode_V1_UpdatePushPolicyResponse = try await fixture.call("UpdatePushPolicy", Netclode_V1_UpdatePushPolicyRequest.with {
            $0.sessionID = id
            if let policy { $0.pushPolicy = policy }
        })
    }

    /// Everything the sandbox can see in proxy mode holds no installation token: the environment and
    /// command line of every process it can read, its files (home, workspace, /tmp, /etc, /run),
    /// git's configuration, the credential helper's answers, and the session's events. The
    /// repository still clones and fetches.
    @Test func noTokenEntersTheSandbox() async throws {
        try await SessionsFixture.with { fixture in
            let id = try await session(fixture, repos: ["demo/hello", "demo/widgets"])
            let scan = try await push(fixture, id, """
                for f in /proc/[0-9]*/environ /proc/[0-9]*/cmdline; do cat "$f" 2>/dev/null | tr '\\0' '\\n'; done
                env; cat "$HOME/.gitconfig"; git config --list --show-origin
                p=gh; grep -rIl "${p}s_" "$HOME" "$PWD" /tmp /etc /run 2>/dev/null | sed 's/^/FILE:/'
                printf 'protocol=%s\\nhost=%s\\npath=demo/hello.git\\n\\n' "$(git config remote.origin.url | cut -d: -f1)" "$(git config remote.origin.url | cut -d/ -f3)" | git credential fill 2>&1
                git -C demo__hello fetch -q origin && echo FETCHED
                git -C demo__hello config remote.origin.url
                """)
            // (The script spells the prefix in two parts: its own command line is scanned too.)
            #expect(!scan.stdout.contains("ghs_") && !scan.stderr.contains("ghs_"), "no installation token is visible in the sandbox: \(scan.stdout)")
            #expect(!scan.stdout.split(separator: "\n").contains { $0.hasPrefix("FILE:") }, "no file holds a token")
            #expect(scan.stdout.contains("extraheader=Authorization:"), "the session-bound credential is what git uses")
            #expect(!scan.stdout.contains("url.\(fixture.controlPlane.baseURL.absoluteString)/git/"),
                    "a proxy session is on an isolated network by default: git goes through the agent's forwarder, not the API port")
            #expect(scan.stdout.contains("FETCHED"), "git reaches the repository through the proxy: \(scan.stderr)")
            #expect(scan.stdout.contains(fixture.forge.cloneURL("demo/hello").absoluteString), "origin keeps the GitHub URL")
            let history = try await fixture.watch(id) { _ in true }
            let text = try history.map { try $0.jsonString() }.joined()
            #expect(!text.contains("ghs_"), "no event carries a token")
        }
    }

    /// The push policy through real git: what it allows reaches the forge; each refusal is in git's
    /// output as `! [remote rejected]` with the reason, changes nothing on the forge, and is audited.
    @Test func pushPolicyCases() async throws {
        try await SessionsFixture.with { fixture in
            let id = try await session(fixture, policy: .with {
                $0.branches = ["netclode/*"]
                $0.allowForcePush = false
                $0.allowDelete = false
            })
            let commit = "git commit -q --allow-empty -m change"
            var before = try await forgeRefs(fixture, "demo/hello")

            let allowed = try await push(fixture, id, "\(commit) && git push origin HEAD:refs/heads/netclode/one 2>&1")
            #expect(allowed.exitCode == 0, "\(allowed.stdout)")
            let afterAllowed = try await forgeRefs(fixture, "demo/hello")
            #expect(afterAllowed.contains("refs/heads/netclode/one"))
            before = afterAllowed

            let cases: [(String, String, String)] = [
                ("a branch outside the policy", "git push origin HEAD:refs/heads/main 2>&1", "allows only branches matching netclode/*"),
                ("a force push", "git commit -q --amend --allow-empty -m rewritten && git push --force origin HEAD:refs/heads/netclode/one 2>&1", "does not allow force pushes"),
                ("a delete", "git push origin :refs/heads/netclode/one 2>&1", "does not allow deleting branches"),
                ("a tag", "git tag -f v1 && git push origin refs/tags/v1 2>&1", "allows only branches matching"),
            ]
            for (what, script, reason) in cases {
                let refused = try await push(fixture, id, script)
                #expect(refused.exitCode != 0, "\(what) is refused")
                #expect(refused.stdout.contains("[remote rejected]") && refused.stdout.contains(reason), "\(what): git prints the reason: \(refused.stdout)")
                #expect(refused.stdout.contains("remote: Netclode:"), "\(what): the remote: lines explain")
                let after = try await forgeRefs(fixture, "demo/hello")
                #expect(after == before, "\(what): nothing changed on the forge")
            }

            // The default policy: any branch, but main is never rewritten or deleted, tags never deleted.
            try await setPolicy(fixture, id, nil)
            let tag = try await push(fixture, id, "git tag -f v2 && git push origin refs/tags/v2 2>&1 && git push origin HEAD:refs/heads/feature 2>&1")
            #expect(tag.exitCode == 0, "\(tag.stdout)")
            before = try await forgeRefs(fixture, "demo/hello")
            let defaults: [(String, String, String)] = [
                ("a tag delete", "git push origin :refs/tags/v2 2>&1", "tags may not be deleted"),
                ("a rewrite of main", "git fetch -q origin main && git checkout -q -B rewrite origin/main && git commit -q --amend --allow-empty -m rewritten && git push --force origin HEAD:refs/heads/main 2>&1",
                 "non-fast-forward update of the default branch"),
                ("a delete of main", "git push origin :refs/heads/main 2>&1", "the default branch (main) may not be deleted"),
            ]
            for (what, script, reason) in defaults {
                let refused = try await push(fixture, id, script)
                #expect(refused.exitCode != 0 && refused.stdout.contains(reason), "\(what) is refused with the reason: \(refused.stdout)")
                let after = try await forgeRefs(fixture, "demo/hello")
                #expect(after == before, "\(what): nothing changed on the forge")
            }
            let forced = try await push(fixture, id, "git checkout -q -B feature origin/main 2>/dev/null || git checkout -q -B feature; git commit -q --allow-empty -m again && git push --force origin HEAD:refs/heads/feature 2>&1 && git push origin :refs/heads/feature 2>&1")
            #expect(forced.exitCode == 0, "other branches may be force-pushed and deleted by default: \(forced.stdout)")
            let fastForward = try await push(fixture, id, "git fetch -q origin main && git checkout -q -B ff origin/main && \(commit) && git push origin HEAD:refs/heads/main 2>&1")
            #expect(fastForward.exitCode == 0, "a fast-forward of main is allowed: \(fastForward.stdout)")

            // The audit: every push, accepted or refused, with its refs.
            let history = try await fixture.watch(id) { items in items.filter { $0.event.kind == "git_push" }.count >= cases.count + defaults.count + 5 }
            let pushes = history.map(\.event).filter { $0.kind == "git_push" }
            #expect(pushes.filter { $0.stage == "refused" }.count == cases.count + defaults.count)
            #expect(pushes.contains { $0.stage == "accepted" && $0.refUpdates.contains { $0.ref == "refs/heads/netclode/one" && $0.result == "ok" } })
            #expect(pushes.contains { $0.stage == "refused" && $0.message.contains("tags may not be deleted") && $0.refUpdates.first?.ref == "refs/tags/v2" })
        }
    }

    /// A push over git's 1 MiB post buffer (a `0000` probe, then a chunked body) goes through,
    /// both streamed (a new branch) and spooled for the fast-forward check (the default branch);
    /// a read-only session's large push gets the readable refusal too.
    @Test func largePushesThroughTheProxy() async throws {
        try await SessionsFixture.with { fixture in
            let id = try await session(fixture)
            let pushed = try await push(fixture, id, """
                head -c 3000000 /dev/urandom > big.bin && git add big.bin && git commit -qm big \
                  && git push origin HEAD:refs/heads/big 2>&1 && git push origin HEAD:refs/heads/main 2>&1 && git rev-parse HEAD
                """)
            #expect(pushed.exitCode == 0, "\(pushed.stdout)")
            let head = pushed.stdout.split(separator: "\n").last.map(String.init) ?? ""
            let refs = try await forgeRefs(fixture, "demo/hello")
            #expect(refs.contains("\(head) refs/heads/big") && refs.contains("\(head) refs/heads/main"), "\(refs)")

            _ = try await fixture.api.updateRepoAccess(id, "read")
            let refused = try await push(fixture, id, "head -c 2000000 /dev/urandom > big2.bin && git add big2.bin && git commit -qm big2 && git push origin HEAD:refs/heads/big2 2>&1")
            #expect(refused.exitCode != 0 && refused.stdout.contains("netclode session access \(id) write"), "\(refused.stdout)")
            #expect(try await forgeRefs(fixture, "demo/hello") == refs)
        }
    }

    /// With `NETCLODE_SANDBOX_NETWORK=host` a proxy session's git reaches the proxy on the API port
    /// (the same routes as the sandbox listener's), still with no token in the sandbox.
    @Test func proxyOnTheHostNetwork() async throws {
        try await SessionsFixture.with(environment: ["NETCLODE_SANDBOX_NETWORK": "host"]) { fixture in
            let id = try await session(fixture)
            let result = try await push(fixture, id, """
                git config --get-regexp '^url\\.' | cut -d' ' -f1; git commit -q --allow-empty -m host \
                  && git push -q origin HEAD:refs/heads/host-network && echo pushed; env | grep -c GITHUB_TOKEN
                """)
            #expect(result.stdout.contains("url.\(fixture.controlPlane.baseURL.absoluteString)/git/.insteadof"), "\(result.stdout)")
            #expect(result.stdout.contains("pushed\n0\n"), "\(result.stdout) \(result.stderr)")
            #expect(try await forgeRefs(fixture, "demo/hello").contains("refs/heads/host-network"))
        }
    }

    /// A read-only session's push is refused by the proxy with the fix in git's output; write access
    /// applies to the next push with no message to the sandbox.
    @Test func readOnlyPushNamesTheFix() async throws {
        try await SessionsFixture.with { fixture in
            let id = try await session(fixture, access: "read")
            let before = try await forgeRefs(fixture, "demo/hello")
            let refused = try await push(fixture, id, "git commit -q --allow-empty -m change && git push origin HEAD:refs/heads/main 2>&1")
            #expect(refused.exitCode != 0)
            #expect(refused.stdout.contains("netclode session access \(id) write"), "\(refused.stdout)")
            #expect(refused.stdout.contains("[remote rejected]"))
            #expect(try await forgeRefs(fixture, "demo/hello") == before)
            _ = try await fixture.api.updateRepoAccess(id, "write")
            let pushed = try await push(fixture, id, "git push origin HEAD:refs/heads/main 2>&1")
            #expect(pushed.exitCode == 0, "the next push uses the write token: \(pushed.stdout)")
        }
    }

    /// The session-bound credential is worthless outside its session: another repository is "not
    /// found", and after a pause the credential is refused; a resumed sandbox gets a new one.
    @Test func credentialIsBoundToTheSession() async throws {
        try await SessionsFixture.with { fixture in
            let id = try await session(fixture)
            // Reversed, so the output redaction of `Authorization:` values does not hide it.
            let config = try await push(fixture, id, "git config --get-regexp 'http\\..*extraheader' | cut -d' ' -f2- | rev")
            let header = String(config.stdout.trimmingCharacters(in: .whitespacesAndNewlines).reversed())
            #expect(header.hasPrefix("Authorization: Bearer ncgit_"))
            let other = try await push(fixture, id, "git ls-remote \(fixture.forge.cloneURL("demo/widgets").absoluteString) 2>&1")
            #expect(other.exitCode != 0 && other.stdout.contains("not found"), "\(other.stdout)")

            let url = fixture.controlPlane.baseURL.absoluteString + "/git/demo/hello.git/info/refs?service=git-upload-pack"
            func status(_ header: String) async throws -> Int {
                var request = HTTPClientRequest(url: url)
                request.headers.add(name: "Authorization", value: String(header.dropFirst("Authorization: ".count)))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                _ = try await response.body.collect(upTo: 8 << 20)
                return Int(response.status.code)
            }
            #expect(try await status(header) == 200)
            _ = try await fixture.api.pause(id)
            #expect(try await status(header) == 403, "a paused session's credential is refused")
            _ = try await fixture.api.resume(id)
            try await fixture.waitFor(id, status: "ready")
            #expect(try await status(header) == 403, "the resumed sandbox has a new credential")
            let fetch = try await push(fixture, id, "git fetch -q origin && echo ok")
            #expect(fetch.stdout == "ok\n", "\(fetch.stderr)")
        }
    }

    /// Repositories added mid-session are cloned through the proxy at once; a removed one is "not
    /// found" to the session's git from the next request.
    @Test func updateReposThroughTheProxy() async throws {
        try await SessionsFixture.with { fixture in
            let id = try await session(fixture)
            let added: Netclode_V1_UpdateReposResponse = try await fixture.call("UpdateRepos", Netclode_V1_UpdateReposRequest.with {
                $0.sessionID = id
                $0.add = ["demo/widgets"]
            })
            #expect(added.applied)
            let clone = try await fixture.watch(id) { items in
                items.contains { $0.event.kind == "repo_clone" && $0.event.repo.contains("demo/widgets") && ["done", "error"].contains($0.event.stage) }
            }
            let done = clone.last { $0.event.kind == "repo_clone" && $0.event.repo.contains("demo/widgets") }?.event
            #expect(done?.stage == "done", "\(done?.message ?? "")")
            let _: Netclode_V1_UpdateReposResponse = try await fixture.call("UpdateRepos", Netclode_V1_UpdateReposRequest.with {
                $0.sessionID = id
                $0.remove = ["demo/widgets"]
            })
            let fetch = try await push(fixture, id, "git -C demo__widgets fetch -q origin 2>&1; git fetch -q origin && echo root-ok")
            #expect(fetch.stdout.contains("not found") && fetch.stdout.contains("root-ok"), "\(fetch.stdout)")
        }
    }

    /// A control plane restarted on another port restores the sandbox with a new proxy address and
    /// credential; the agent replaces the old entries, so git follows at once.
    @Test func restartMovesGitToTheNewProxy() async throws {
        var fixture = try await SessionsFixture.start()
        do {
            let id = try await session(fixture)
            await fixture.controlPlane.stop()
            fixture.controlPlane = try await fixture.controlPlane.restart()
            fixture.client = SessionsFixture.client(for: fixture.controlPlane)
            let deadline = ContinuousClock.now + .seconds(120)
            var result = try? await push(fixture, id, "git fetch -q origin && git commit -q --allow-empty -m after && git push -q origin HEAD:refs/heads/after-restart && echo ok")
            while result?.stdout != "ok\n", ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(500))
                result = try? await push(fixture, id, "git fetch -q origin && git push -q origin HEAD:refs/heads/after-restart && echo ok")
            }
            #expect(result?.stdout == "ok\n", "git fetches and pushes through the new proxy: \(result?.stderr ?? "no answer")")
            let config = try await push(fixture, id, "git config --get-regexp '^url\\.' | grep -c /git/")
            #expect(config.stdout == "1\n", "one rewrite, the current one: \(config.stdout)")
        } catch {
            await fixture.finish()
            throw error
        }
        await fixture.finish()
    }
}
