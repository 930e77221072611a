import Forge
import Foundation
import Testing
import TestSupport

@Suite("forge users, collaborators and user tokens")
struct ForgeUsersTests {
    @Test("init writes one ghu_ token per user, 0600, known to the forge only by its SHA-256; never printed")
    func userTokens() async throws {
        try await TemporaryDirectory.with { directory in
            let data = directory.url.appendingPathComponent("forge")
            let result = try await NetclodeCLI.run([
                "forge", "init", "--data", data.path, "--json", "--repo", "demo/hello", "--user", "bob",
                "--collaborator", "demo/hello:alice:write", "--fork", "alice/hello=demo/hello", "--issue", "demo/hello:alice:Fix: the greeting",
                "--webhook-url", "http://127.0.0.1:9/webhooks/github", "--webhook-secret", "s3cret-webhook",
            ])
            #expect(result.exitCode == 0, "\(result.stderr)")
            let json = try JSONValue.parse(Array(result.stdout.utf8))
            let users = try #require(json["users"]?.arrayValue)
            #expect(users.map { $0["login"] } == ["bob", "alice"])
            #expect(users.last?["roles"] == ["demo/hello:write"])
            #expect(json["forks"] == ["alice/hello=demo/hello"])
            #expect(json["uninstalledRepos"] == [])
            #expect(json["webhookUrl"] == "http://127.0.0.1:9/webhooks/github")

            let metadata = try String(contentsOf: data.appendingPathComponent("forge.json"), encoding: .utf8)
            for user in users {
                let path = try #require(user["tokenPath"]?.stringValue)
                #expect(path == data.appendingPathComponent("users/\(user["login"]?.stringValue ?? "").token").path)
                let token = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(token.hasPrefix("ghu_") && token.count == 40)
                #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue == 0o600)
                #expect(!result.stdout.contains(token) && !result.stderr.contains(token))
                #expect(!metadata.contains(token))
                #expect(metadata.contains(sha256Hex(token)))
            }
            let usersDirectory = data.appendingPathComponent("users").path
            #expect((try FileManager.default.attributesOfItem(atPath: usersDirectory)[.posixPermissions] as? NSNumber)?.intValue == 0o700)

            let webhook = data.appendingPathComponent("webhook.json").path
            #expect((try FileManager.default.attributesOfItem(atPath: webhook)[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            #expect(try String(contentsOfFile: webhook, encoding: .utf8).contains("s3cret-webhook"))
            #expect(!result.stdout.contains("s3cret-webhook"))

            let fork = try await Git.check(["log", "--format=%s", "main"], in: data.appendingPathComponent("repos/alice/hello.git"))
            #expect(fork.stdout.contains("Initial commit"))
            let activity = try JSONValue.parse(Array(try Data(contentsOf: data.appendingPathComponent("activity.json"))))
            #expect(activity["issues"]?.arrayValue?.first?["title"] == "Fix: the greeting")
            #expect(activity["issues"]?.arrayValue?.first?["number"] == 1)
        }
    }

    @Test("bad people, fork and webhook arguments are refused, naming the flag, with nothing left behind",
          arguments: [
              ["--collaborator", "demo/hello:alice:owner"], ["--collaborator", "demo/nope:alice:write"], ["--collaborator", "demo/hello:alice"],
              ["--collaborator", "demo/hello:demo:write"], ["--collaborator", "demo/hello:al_ice:write"], ["--user", "a--b"],
              ["--issue", "demo/hello:stranger:Title"], ["--issue", "demo/hello:demo:"], ["--issue", "demo/hello"],
              ["--fork", "alice/hello=demo/nope"], ["--fork", "demo/copy=demo/hello"], ["--fork", "alice/hello"],
              ["--webhook-url", "ftp://example.com/hook"], ["--webhook-secret", "orphan"],
          ])
    func badArguments(arguments: [String]) async throws {
        try await TemporaryDirectory.with { directory in
            let data = directory.url.appendingPathComponent("forge")
            let result = try await NetclodeCLI.run(["forge", "init", "--data", data.path, "--repo", "demo/hello"] + arguments)
            #expect(result.exitCode != 0)
            #expect(result.stderr.contains(arguments[0]), "\(result.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
        }
    }

    @Test("the demo forge has a writer, a reader and an open issue to try the bot on")
    func demoSeed() async throws {
        try await TemporaryDirectory.with { directory in
            let data = directory.url.appendingPathComponent("forge")
            let result = try await ForgeInitializer.initialise(.demo(dataDirectory: data))
            #expect(result.userTokenPaths.map(\.login) == ["octocat", "monalisa"])
            #expect(result.roles(of: "octocat") == ["netclode-demo/hello:write", "netclode-demo/widgets:write"])
            #expect(result.roles(of: "monalisa") == ["netclode-demo/hello:read", "netclode-demo/widgets:read"])
            #expect(result.metadata.installations.first?.permissions["pull_requests"] == "write")
            for (_, path) in result.userTokenPaths { #expect(FileManager.default.fileExists(atPath: path)) }
            let activity = try JSONValue.parse(Array(try Data(contentsOf: data.appendingPathComponent("activity.json"))))
            let issue = try #require(activity["issues"]?.arrayValue?.first)
            #expect(issue["title"] == "Add a greeting for Netclode")
            #expect(issue["number"] == 1)
            #expect(issue["repositoryID"]?.intValue == result.metadata.repository(owner: "netclode-demo", name: "hello")?.id)
        }
    }

    @Test("git with user tokens: a writer pushes, a reader fetches but may not push, a stranger finds nothing")
    func gitWithUserTokens() async throws {
        let setup = ForgeProcess.Setup(repos: ["demo/hello"], users: ["stranger"], collaborators: ["demo/hello:alice:write", "demo/hello:rita:read"])
        try await ForgeProcess.with(setup) { forge in
            try await TemporaryDirectory.with(prefix: "forge-user-git") { directory in
                func url(_ login: String) throws -> String { forge.authenticatedCloneURL("demo/hello", token: try forge.userToken(login)) }
                let work = directory.url.appendingPathComponent("alice")
                try await Git.check(["clone", "--quiet", try url("alice"), work.path])
                try Data("by alice\n".utf8).write(to: work.appendingPathComponent("alice.txt"))
                try await Git.check(["add", "alice.txt"], in: work)
                try await Git.check(["commit", "--quiet", "-m", "alice"], in: work)
                try await Git.check(["push", "--quiet", "origin", "HEAD:refs/heads/alice"], in: work)
                #expect(try await forge.bareRef("demo/hello", "refs/heads/alice") != nil)

                let reader = directory.url.appendingPathComponent("rita")
                try await Git.check(["clone", "--quiet", try url("rita"), reader.path])
                try await Git.check(["commit", "--quiet", "--allow-empty", "-m", "rita"], in: reader)
                let push = try await Git.run(["push", "origin", "HEAD:refs/heads/rita"], in: reader)
                #expect(!push.succeeded)
                #expect(push.stderr.contains("Permission to demo/hello.git denied to rita"), "\(push.stderr)")

                let stranger = try await Git.run(["clone", "--quiet", try url("stranger"), directory.url.appendingPathComponent("s").path])
                #expect(!stranger.succeeded)
                #expect(stranger.stderr.contains("not found"), "\(stranger.stderr)")
            }
        }
    }
}
