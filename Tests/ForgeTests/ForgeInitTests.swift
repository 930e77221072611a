import Forge
import GitHubApp
import Foundation
import NIOHTTP1
import Testing
import TestSupport

@Suite("forge init")
struct ForgeInitTests {
    @Test("--json describes the App, installations and uninstalled repos; the key is 0600")
    func jsonOutput() async throws {
        try await TemporaryDirectory.with { directory in
            let data = directory.url.appendingPathComponent("forge")
            let result = try await NetclodeCLI.run([
                "forge", "init", "--data", data.path, "--json", "--app-id", "777",
                "--owner", "acme", "--repo", "demo/hello", "--repo", "demo/world", "--uninstalled-repo", "other/secret",
            ])
            #expect(result.exitCode == 0, "\(result.stderr)")
            let json = try JSONValue.parse(Array(result.stdout.utf8))
            #expect(json["appId"] == 777)
            #expect(json["appSlug"] == "netclode-forge")
            let clientID = try #require(json["clientId"]?.stringValue)
            #expect(clientID.hasPrefix("Iv1.") && clientID.count == 20)
            let keyPath = try #require(json["privateKeyPath"]?.stringValue)
            #expect(keyPath == data.appendingPathComponent("app-private-key.pem").path)
            let installations = try #require(json["installations"]?.arrayValue)
            #expect(installations.count == 2)
            let demo = try #require(installations.first { $0["account"] == "demo" })
            #expect(demo["repos"] == ["demo/hello", "demo/world"])
            #expect(demo["id"]?.intValue != nil)
            let acme = try #require(installations.first { $0["account"] == "acme" })
            #expect(acme["repos"] == [])
            #expect(json["uninstalledRepos"] == ["other/secret"])

            let attributes = try FileManager.default.attributesOfItem(atPath: keyPath)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let pem = try String(contentsOfFile: keyPath, encoding: .utf8)
            #expect(pem.hasPrefix(PEMHeader.pkcs1PrivateKey))

            for name in ["demo/hello", "demo/world", "other/secret"] {
                let bare = data.appendingPathComponent("repos/\(name).git")
                let head = try await Git.check(["symbolic-ref", "HEAD"], in: bare)
                #expect(head.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "refs/heads/main")
                let readme = try await Git.check(["show", "main:README.md"], in: bare)
                #expect(readme.stdout.contains(name))
            }
        }
    }

    @Test("text output prints the IDs, the key path and the lines to export")
    func textOutput() async throws {
        try await TemporaryDirectory.with { directory in
            let data = directory.url.appendingPathComponent("forge")
            let result = try await NetclodeCLI.run(["forge", "init", "--data", data.path, "--repo", "demo/hello"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            let keyPath = data.appendingPathComponent("app-private-key.pem").path
            #expect(result.stdout.contains("GITHUB_APP_ID=4242"))
            #expect(result.stdout.contains("GITHUB_APP_PRIVATE_KEY_PATH=\(keyPath)"))
            #expect(result.stdout.contains("GITHUB_INSTALLATION_ID=10000001"))
            #expect(result.stdout.contains("demo: demo/hello"))
        }
    }

    @Test("bad names are refused with the argument named and nothing left behind",
          arguments: [
              ["--repo", "de--mo/hello"], ["--repo", "-demo/hello"], ["--repo", "demo/.."], ["--repo", "demo/he llo"],
              ["--repo", "demo"], ["--owner", "a_b"], ["--uninstalled-repo", "demo/x/y"],
              ["--repo", "\(String(repeating: "a", count: 40))/x"],
          ])
    func badNames(arguments: [String]) async throws {
        try await TemporaryDirectory.with { directory in
            let data = directory.url.appendingPathComponent("forge")
            let result = try await NetclodeCLI.run(["forge", "init", "--data", data.path, "--repo", "demo/ok"] + arguments)
            #expect(result.exitCode != 0)
            #expect(result.stderr.contains(arguments[0]), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: data.path))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
        }
    }

    @Test("re-running init on an existing forge is an error")
    func refusesExistingForge() async throws {
        try await TemporaryDirectory.with { directory in
            let data = directory.url.appendingPathComponent("forge")
            let first = try await NetclodeCLI.run(["forge", "init", "--data", data.path, "--repo", "demo/hello"])
            #expect(first.exitCode == 0)
            let before = try Data(contentsOf: data.appendingPathComponent("forge.json"))
            let second = try await NetclodeCLI.run(["forge", "init", "--data", data.path, "--repo", "demo/other"])
            #expect(second.exitCode != 0)
            #expect(second.stderr.contains("already exists"))
            #expect(try Data(contentsOf: data.appendingPathComponent("forge.json")) == before)
        }
    }

    @Test("--import clones a local repository bare")
    func importsRepository() async throws {
        try await TemporaryDirectory.with { directory in
            let source = directory.url.appendingPathComponent("source")
            try await Git.check(["init", "--quiet", "--initial-branch=trunk", source.path])
            try Data("hello\n".utf8).write(to: source.appendingPathComponent("file.txt"))
            try await Git.check(["add", "file.txt"], in: source)
            try await Git.check(["commit", "--quiet", "-m", "imported commit"], in: source)
            let data = directory.url.appendingPathComponent("forge")
            let result = try await NetclodeCLI.run(["forge", "init", "--data", data.path, "--json", "--import", "demo/imported=\(source.path)"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            let log = try await Git.check(["log", "--format=%s", "trunk"], in: data.appendingPathComponent("repos/demo/imported.git"))
            #expect(log.stdout.contains("imported commit"))
        }
    }

    @Test("serve refuses a non-loopback address without --allow-remote")
    func serveRefusesRemote() async throws {
        try await TemporaryDirectory.with { directory in
            let data = directory.url.appendingPathComponent("forge")
            _ = try await NetclodeCLI.run(["forge", "init", "--data", data.path, "--repo", "demo/hello"])
            let result = try await NetclodeCLI.run(["forge", "serve", "--data", data.path, "--listen", "0.0.0.0:0"])
            #expect(result.exitCode != 0)
            #expect(result.stderr.contains("--allow-remote"))
            #expect(result.stdout.isEmpty)
        }
    }
}
