import Foundation
import Testing
import TestSupport

/// What the client commands do before (or without) reaching a server: settings, usage, help.
@Suite("netclode session settings and help", .serialized)
struct ClientSettingsTests {
    static let commands: [[String]] = [
        ["session"], ["session", "create"], ["session", "list"], ["session", "get"],
        ["session", "delete"], ["session", "events"], ["session", "exec"],
    ]

    @Test("without a token, one line says how to set it")
    func missingToken() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-cli") { directory in
            let cli = CLIRunner(server: nil, token: nil, workingDirectory: directory.url)
            let result = try await cli.run(["session", "list"])
            #expect(result.exitCode == 2)
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.hasPrefix("error: no API token: run `netclode dev`"), "\(result.stderr)")
            #expect(result.stderr.contains("pass --token TOKEN or set NETCLODE_API_TOKEN"), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test("server and token come from the client context netclode dev writes, unless flags or variables say otherwise")
    func clientContext() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-cli") { directory in
            let context = directory.url.appendingPathComponent("context.json")
            try #"{"server": "http://127.0.0.1:1", "token": "from-context-0123456789", "source": "test"}"#
                .write(to: context, atomically: true, encoding: .utf8)
            let cli = CLIRunner(server: nil, token: nil, workingDirectory: directory.url)
            let fromContext = try await cli.run(["session", "list"], timeout: .seconds(60))
            #expect(fromContext.exitCode == 3, "\(fromContext.transcript)")
            #expect(fromContext.stderr.hasPrefix("error: cannot reach http://127.0.0.1:1/"), "\(fromContext.stderr)")

            // Another server named explicitly: the context's token is not sent there.
            let elsewhere = CLIRunner(server: "http://127.0.0.1:2", token: nil, workingDirectory: directory.url)
            let refused = try await elsewhere.run(["session", "list"])
            #expect(refused.exitCode == 2, "\(refused.transcript)")
            #expect(refused.stderr.hasPrefix("error: no API token"), "\(refused.stderr)")

            try "not json".write(to: context, atomically: true, encoding: .utf8)
            let broken = try await cli.run(["session", "list"])
            #expect(broken.exitCode == 2, "\(broken.transcript)")
            #expect(broken.stderr.contains("cannot read the client context \(context.path)"), "\(broken.stderr)")
        }
    }

    @Test("server and token come from a .env file in the working directory")
    func dotEnv() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-cli") { directory in
            try "NETCLODE_URL=http://127.0.0.1:1\nNETCLODE_API_TOKEN=from-dot-env-0123456789\n"
                .write(to: directory.url.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
            let cli = CLIRunner(server: nil, token: nil, workingDirectory: directory.url)
            let result = try await cli.run(["session", "list"], timeout: .seconds(60))
            #expect(result.exitCode == 3, "\(result.transcript)")
            #expect(result.stderr.hasPrefix("error: cannot reach http://127.0.0.1:1/"), "\(result.stderr)")

            let badURL = try await cli.run(["session", "list", "--server", "127.0.0.1:8080"])
            #expect(badURL.exitCode == 2)
            #expect(badURL.stderr.contains("http://HOST:PORT"))
        }
    }

    @Test("usage errors exit 64 without contacting a server")
    func usage() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-cli") { directory in
            let cli = CLIRunner(server: "http://127.0.0.1:1", token: "unused-token-0123456789", workingDirectory: directory.url)
            let noCommand = try await cli.run(["session", "exec", "abc"])
            #expect(noCommand.exitCode == 64)
            #expect(noCommand.stderr.contains("give the command after --"))
            let badAccess = try await cli.run(["session", "create", "--repo", "demo/hello", "--access", "admin"])
            #expect(badAccess.exitCode == 64)
            #expect(badAccess.stderr.contains("'read'") && badAccess.stderr.contains("'write'"))
        }
    }

    @Test("--help of every session command has an example", arguments: commands)
    func help(_ command: [String]) async throws {
        try await TemporaryDirectory.with(prefix: "netclode-cli") { directory in
            let cli = CLIRunner(server: nil, token: nil, workingDirectory: directory.url)
            let result = try await cli.run(command + ["--help"])
            #expect(result.exitCode == 0)
            #expect(result.stdout.contains("Example"), "\(result.stdout)")
            #expect(result.stdout.contains("netclode session"))
        }
    }

    /// Every other command a user can reach, including the root.
    static let otherCommands: [[String]] = [
        [], ["dev"], ["serve"], ["repos"], ["agent"], ["agent", "credential"],
        ["forge"], ["forge", "init"], ["forge", "serve"],
        ["session", "access"], ["session", "pause"], ["session", "resume"],
    ]

    @Test("--help of every other command has an example too", arguments: otherCommands)
    func otherHelp(_ command: [String]) async throws {
        try await TemporaryDirectory.with(prefix: "netclode-cli") { directory in
            let cli = CLIRunner(server: nil, token: nil, workingDirectory: directory.url)
            let result = try await cli.run(command + ["--help"])
            #expect(result.exitCode == 0, "\(result.transcript)")
            #expect(result.stdout.contains("Example"), "netclode \(command.joined(separator: " ")) --help:\n\(result.stdout)")
        }
    }
}
