import Forge
import Foundation
import NIOHTTP1
import Testing
import TestSupport

@Suite("git smart HTTP")
struct GitSmartHTTPTests {
    static let setup = ForgeProcess.Setup(repos: ["demo/hello", "demo/world"], uninstalledRepos: ["other/secret"])

    @Test("clone with a read token (URL userinfo and http.extraHeader); uncovered and uninstalled repos are not found")
    func cloneWithReadToken() async throws {
        try await ForgeProcess.with(Self.setup) { forge in
            try await TemporaryDirectory.with { work in
                let token = try await forge.mint(owner: "demo", body: #"{"repositories":["hello"],"permissions":{"contents":"read"}}"#)

                let viaURL = work.url.appendingPathComponent("via-url")
                let cloned = try await Git.run(["clone", forge.authenticatedCloneURL("demo/hello", token: token), viaURL.path])
                #expect(cloned.succeeded, "\(cloned.stderr)")
                #expect(FileManager.default.fileExists(atPath: viaURL.appendingPathComponent("README.md").path))

                // Header credentials, a differently-cased name, no `.git`, protocol v2 explicitly.
                let basic = Data("x-access-token:\(token)".utf8).base64EncodedString()
                let viaHeader = work.url.appendingPathComponent("via-header")
                let headerClone = try await Git.run([
                    "-c", "http.extraHeader=Authorization: Basic \(basic)", "-c", "protocol.version=2",
                    "clone", forge.baseURL.appendingPathComponent("Demo/Hello").absoluteString, viaHeader.path,
                ])
                #expect(headerClone.succeeded, "\(headerClone.stderr)")

                for name in ["demo/world", "other/secret", "demo/missing"] {
                    let refused = try await Git.run(["clone", forge.authenticatedCloneURL(name, token: token), work.url.appendingPathComponent(name).path])
                    #expect(!refused.succeeded)
                    #expect(refused.stderr.contains("Repository not found"), "\(name): \(refused.stderr)")
                }
                let wrong = try await Git.run(["clone", forge.authenticatedCloneURL("demo/hello", token: "ghs_wrong"), work.url.appendingPathComponent("wrong").path])
                #expect(!wrong.succeeded)
                #expect(try await forge.stats().gitRequests > 0)
            }
        }
    }

    @Test("first request gets a Basic challenge; dumb protocol is refused")
    func challengeAndDumbProtocol() async throws {
        try await ForgeProcess.with(Self.setup) { forge in
            let anonymous = try await HTTP.send(.GET, forge.api + "/demo/hello.git/info/refs?service=git-upload-pack")
            #expect(anonymous.status == 401)
            #expect(anonymous.header("WWW-Authenticate") == "Basic realm=\"GitHub\"")
            let token = try await forge.mint(owner: "demo", body: "{}")
            let bad = try await HTTP.send(.GET, forge.api + "/demo/hello.git/info/refs?service=git-upload-pack",
                                          headers: ["Authorization": "Basic \(Data("x-access-token:ghs_bad".utf8).base64EncodedString())"])
            #expect(bad.status == 401)
            #expect(bad.header("WWW-Authenticate") == "Basic realm=\"GitHub\"")
            #expect(bad.text.contains("Invalid username or token"))
            let advert = try await HTTP.send(.GET, forge.api + "/demo/hello.git/info/refs?service=git-upload-pack",
                                             headers: ["Authorization": "token \(token)"])
            #expect(advert.status == 200)
            #expect(advert.header("Content-Type") == "application/x-git-upload-pack-advertisement")
            let dumb = try await HTTP.send(.GET, forge.api + "/demo/hello.git/info/refs", headers: ["Authorization": "token \(token)"])
            #expect(dumb.status == 403)
        }
    }

    @Test("fetch: a metadata-only token can list repositories but not clone them")
    func metadataOnlyTokenCannotClone() async throws {
        try await ForgeProcess.with(Self.setup) { forge in
            try await TemporaryDirectory.with { work in
                let token = try await forge.mint(owner: "demo", body: #"{"permissions":{"metadata":"read"}}"#)
                let clone = try await Git.run(["clone", forge.authenticatedCloneURL("demo/hello", token: token), work.url.appendingPathComponent("x").path])
                #expect(!clone.succeeded)
                #expect(clone.stderr.contains("Permission to demo/hello.git denied"), "\(clone.stderr)")
            }
        }
    }

    @Test("push: read token refused with GitHub's message at info/refs; write token lands the commit")
    func push() async throws {
        try await ForgeProcess.with(Self.setup) { forge in
            try await TemporaryDirectory.with { work in
                let readToken = try await forge.mint(owner: "demo", body: #"{"repositories":["hello"],"permissions":{"contents":"read"}}"#)
                let checkout = work.url.appendingPathComponent("hello")
                try await Git.check(["clone", forge.authenticatedCloneURL("demo/hello", token: readToken), checkout.path])
                try Data("change\n".utf8).write(to: checkout.appendingPathComponent("change.txt"))
                try await Git.check(["add", "change.txt"], in: checkout)
                try await Git.check(["commit", "--quiet", "-m", "forge push test"], in: checkout)

                let refused = try await Git.run(["push", "origin", "HEAD:main"], in: checkout)
                #expect(!refused.succeeded)
                #expect(refused.stderr.contains("Permission to demo/hello.git denied to netclode-forge[bot]."), "\(refused.stderr)")
                #expect(!refused.stderr.contains("RPC failed"))

                let writeToken = try await forge.mint(owner: "demo", body: #"{"repositories":["hello"],"permissions":{"contents":"write"}}"#)
                let pushed = try await Git.run(["push", forge.authenticatedCloneURL("demo/hello", token: writeToken), "HEAD:main"], in: checkout)
                #expect(pushed.succeeded, "\(pushed.stderr)")
                let log = try await Git.check(["log", "--format=%s", "-1", "main"], in: forge.bareRepository("demo/hello"))
                #expect(log.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "forge push test")

                // Revoked: the same token no longer clones.
                #expect(try await forge.tokenRequest(.DELETE, "/installation/token", token: writeToken).status == 204)
                let afterRevoke = try await Git.run(["clone", forge.authenticatedCloneURL("demo/hello", token: writeToken), work.url.appendingPathComponent("after").path])
                #expect(!afterRevoke.succeeded)
            }
        }
    }

    @Test("a token stops working when its TTL runs out")
    func tokenExpiry() async throws {
        // Every moment is measured from the expiry the forge reports with the token, not from the
        // test's setup: a busy machine may take any time to start the forge or git.
        try await ForgeProcess.with(ForgeProcess.Setup(repos: ["demo/hello"], tokenTTL: 15)) { forge in
            try await TemporaryDirectory.with { work in
                // Before expiry: an API call and a clone work. A use that ends after the token may
                // have expired proves nothing either way (the machine was too busy), so then mint
                // again; a token that never works still fails below.
                var live: (token: String, expiresAt: Date)?
                for attempt in 1...5 where live == nil {
                    let (token, expiresAt) = try await Self.mintWithExpiry(forge)
                    let api = try await forge.tokenRequest(.GET, "/installation/repositories", token: token).status
                    let early = try await Git.run(["clone", forge.authenticatedCloneURL("demo/hello", token: token), work.url.appendingPathComponent("early-\(attempt)").path])
                    guard Date() < expiresAt.addingTimeInterval(-Self.expiryResolution) else { continue }
                    #expect(api == 200)
                    #expect(early.succeeded, "\(early.stderr)")
                    live = (token, expiresAt)
                }
                let (token, expiresAt) = try #require(live, "no 15-second token lived long enough for one API call and one clone")

                // After expiry (plus the second the reported time may hide): refused.
                try await Task.sleep(for: .seconds(max(expiresAt.timeIntervalSinceNow + 2 * Self.expiryResolution, 0)))
                #expect(try await forge.tokenRequest(.GET, "/installation/repositories", token: token).status == 401)
                let late = try await Git.run(["clone", forge.authenticatedCloneURL("demo/hello", token: token), work.url.appendingPathComponent("late").path])
                #expect(!late.succeeded)
            }
        }
    }

    /// `expires_at` has whole seconds: the real expiry is within a second of it.
    static let expiryResolution: TimeInterval = 1

    /// Mints a token for all of `demo`'s repositories; the token and the `expires_at` the forge gave it.
    static func mintWithExpiry(_ forge: ForgeProcess) async throws -> (String, Date) {
        let installation = try #require(forge.installationIDs["demo"])
        let reply = try await forge.appRequest(.POST, "/app/installations/\(installation)/access_tokens", body: "{}")
        #expect(reply.status == 201, "\(reply.text)")
        let json = try reply.json()
        let token = try #require(json["token"]?.stringValue, "\(reply.text)")
        let expiresAt = try #require(json["expires_at"]?.stringValue.flatMap { try? Date.ISO8601FormatStyle().parse($0) }, "\(reply.text)")
        return (token, expiresAt)
    }

    @Test("a renamed repository is no longer found under its old name")
    func rename() async throws {
        try await ForgeProcess.with(Self.setup) { forge in
            try await TemporaryDirectory.with { work in
                let token = try await forge.mint(owner: "demo", body: #"{"repositories":["hello"]}"#)
                try await forge.renameRepository(from: "demo/hello", to: "demo/renamed")
                let old = try await Git.run(["clone", forge.authenticatedCloneURL("demo/hello", token: token), work.url.appendingPathComponent("old").path])
                #expect(old.stderr.contains("Repository not found"))
                let new = try await Git.run(["clone", forge.authenticatedCloneURL("demo/renamed", token: token), work.url.appendingPathComponent("new").path])
                #expect(new.succeeded, "\(new.stderr)")
            }
        }
    }
}
