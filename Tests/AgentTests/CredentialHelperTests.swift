import Agent
import Foundation
import Subprocess
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

#if canImport(System)
import System
#else
import SystemPackage
#endif

@Suite("credential helper: store, socket server and client")
struct CredentialHelperTests {
    static let helloToken = "ghs_hello" + String(repeating: "0", count: 31)  // built here: no token-shaped literal in the repo
    static let otherToken = "ghs_other" + String(repeating: "0", count: 31)

    static let credentials = [
        RepoCredential(host: "github.com", owner: "Demo", repositories: ["hello", "demo/Widgets"], token: helloToken),
        RepoCredential(host: "github.com", owner: "other", repositories: ["tool"], token: otherToken),
    ]

    @Test("git's request format parses and encodes")
    func messageFormat() {
        let message = GitCredentialMessage.parse("protocol=https\nhost=github.com\npath=demo/hello.git\nwwwauth[]=Basic realm=\"GitHub\"\n\nignored=1\n")
        #expect(message["protocol"] == "https")
        #expect(message["path"] == "demo/hello.git")
        #expect(message["wwwauth[]"] == "Basic realm=\"GitHub\"")
        #expect(message["ignored"] == nil)
        #expect(GitCredentialMessage([("username", "x-access-token"), ("password", "p")]).encoded == "username=x-access-token\npassword=p\n")
    }

    @Test("lookup by host and repository path, case-insensitively; unknown → no answer")
    func lookups() async {
        let store = CredentialStore(Self.credentials)
        func get(_ host: String, _ path: String?, protocol scheme: String = "https") async -> String? {
            var attributes: [(key: String, value: String)] = [("protocol", scheme), ("host", host)]
            if let path { attributes.append(("path", path)) }
            return await store.answer(operation: "get", request: GitCredentialMessage(attributes))["password"]
        }
        #expect(await get("github.com", "demo/hello.git") == Self.helloToken)
        #expect(await get("GitHub.com", "DEMO/HELLO") == Self.helloToken)
        #expect(await get("github.com:443", "demo/widgets.git/") == Self.helloToken)
        #expect(await get("github.com", "other/tool.git") == Self.otherToken)
        #expect(await get("github.com", "demo/secret.git") == nil)
        #expect(await get("github.com", "other/hello.git") == nil)
        #expect(await get("evil.example", "demo/hello.git") == nil)
        #expect(await get("github.com", "demo/hello.git", protocol: "ssh") == nil)
        #expect(await get("github.com", nil) == nil, "two different tokens on the host: no guess")
        #expect(await store.answer(operation: "store", request: GitCredentialMessage([("host", "github.com"), ("path", "demo/hello.git")])).isEmpty)
        #expect(await store.answer(operation: "erase", request: GitCredentialMessage([("host", "github.com"), ("path", "demo/hello.git")])).isEmpty)

        await store.update([RepoCredential(host: "github.com", owner: "demo", repositories: ["hello"], token: "ghs_new")])
        #expect(await get("github.com", "demo/hello.git") == "ghs_new")
        #expect(await get("github.com", nil) == "ghs_new", "one token on the host: safe without a path")
        #expect(await get("github.com", "other/tool.git") == nil, "update replaces every earlier credential")
    }

    /// The production helper gives the agent 30 s; 50 helpers at once on a loaded 2-core CI can
    /// take longer than that to be scheduled, which says nothing about the socket.
    static let loadedTimeout: Duration = .seconds(60)

    @Test("server and client speak over a 0600 socket in a 0700 directory")
    func socketRoundTrip() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-sock") { directory in
            let socketPath = directory.url.appendingPathComponent("home/.netclode/agent.sock").path
            let store = CredentialStore(Self.credentials)
            let server = try await CredentialServer.start(socketPath: socketPath, store: store, requestTimeout: Self.loadedTimeout)

            let socketMode = try FileManager.default.attributesOfItem(atPath: socketPath)[.posixPermissions] as? Int
            let directoryMode = try FileManager.default.attributesOfItem(atPath: (socketPath as NSString).deletingLastPathComponent)[.posixPermissions] as? Int
            #expect(socketMode == 0o600)
            #expect(directoryMode == 0o700)

            let answer = try await CredentialHelperClient.request(
                operation: "get", input: "protocol=https\nhost=github.com\npath=demo/hello.git\n\n", socketPath: socketPath, timeout: Self.loadedTimeout)
            #expect(answer == "username=x-access-token\npassword=\(Self.helloToken)\n")

            let unknown = try await CredentialHelperClient.request(
                operation: "get", input: "protocol=https\nhost=github.com\npath=demo/nope.git\n", socketPath: socketPath, timeout: Self.loadedTimeout)
            #expect(unknown == "")

            // Many concurrent helpers (git runs one per request; parallel clones overlap).
            let answers = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        try await CredentialHelperClient.request(
                            operation: "get", input: "protocol=https\nhost=github.com\npath=other/tool.git\n", socketPath: socketPath, timeout: Self.loadedTimeout)
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(answers.count == 50 && answers.allSatisfy { $0.contains(Self.otherToken) })

            await server.stop()
            #expect(!FileManager.default.fileExists(atPath: socketPath), "the socket file is removed on stop")
            await #expect(throws: CredentialHelperError.self) {
                _ = try await CredentialHelperClient.request(operation: "get", input: "host=github.com\n", socketPath: socketPath)
            }
        }
    }

    @Test("a second server replaces a stale socket file")
    func staleSocket() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-sock") { directory in
            let socketPath = directory.url.appendingPathComponent("agent.sock").path
            let store = CredentialStore(Self.credentials)
            let first = try await CredentialServer.start(socketPath: socketPath, store: store)
            // Simulate a crash: the file stays, nobody listens.
            let second = try await CredentialServer.start(socketPath: socketPath, store: store)
            let answer = try await CredentialHelperClient.request(
                operation: "get", input: "protocol=https\nhost=github.com\npath=demo/hello.git\n", socketPath: socketPath)
            #expect(answer.contains(Self.helloToken))
            await second.stop()
            await first.stop()
        }
    }

    @Test("a client that connects and sends nothing is dropped after the request timeout; others are served meanwhile")
    func silentClientIsDropped() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-sock") { directory in
            let socketPath = directory.url.appendingPathComponent("agent.sock").path
            // Long enough that one request over a local socket fits in it many times over on a
            // busy machine; the drop itself is waited for with a deadline of its own.
            let timeout = Duration.seconds(30)
            let server = try await CredentialServer.start(socketPath: socketPath, store: CredentialStore(Self.credentials), requestTimeout: timeout)
            let connected = ContinuousClock.now
            let silent = try SilentSocketClient(socketPath: socketPath)
            defer { silent.close() }

            // While it holds its connection, another client is served.
            let answer = try await CredentialHelperClient.request(
                operation: "get", input: "protocol=https\nhost=github.com\npath=demo/hello.git\n", socketPath: socketPath)
            #expect(answer.contains(Self.helloToken))
            #expect(!silent.isDropped(), "the silent client is still connected after another was served (\(ContinuousClock.now - connected) in)")

            // Then the server hangs up on it: not before the timeout, and not never.
            let deadline = ContinuousClock.now + .seconds(120)
            while !silent.isDropped(), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            let dropped = ContinuousClock.now - connected
            #expect(silent.isDropped(), "the silent client was still connected after \(dropped)")
            #expect(dropped >= timeout, "dropped after \(dropped), before the \(timeout) timeout")

            // And the server still answers.
            let after = try await CredentialHelperClient.request(
                operation: "get", input: "protocol=https\nhost=github.com\npath=other/tool.git\n", socketPath: socketPath)
            #expect(after.contains(Self.otherToken))
            await server.stop()
        }
    }

    @Test("socket path: --socket, then NETCLODE_AGENT_SOCKET, then $HOME/.netclode/agent.sock")
    func socketPathResolution() {
        #expect(CredentialHelperClient.socketPath(environment: ["NETCLODE_AGENT_SOCKET": "/s", "HOME": "/h"]) == "/s")
        #expect(CredentialHelperClient.socketPath(environment: ["HOME": "/h"]) == "/h/.netclode/agent.sock")
        #expect(CredentialHelperClient.socketPath(environment: [:]) == nil)
    }

    @Test("the helper configuration holds the command, never a token")
    func helperConfiguration() async throws {
        let helper = CredentialHelperConfiguration(executable: "/opt/net clode/bin/netclode", socketPath: "/home/u/.netclode/agent.sock")
        #expect(helper.helperCommand == "!'/opt/net clode/bin/netclode' 'agent' 'credential' '--socket' '/home/u/.netclode/agent.sock'")
        #expect(helper.commandLineArguments == [
            "-c", "credential.helper=", "-c", "credential.helper=\(helper.helperCommand)", "-c", "credential.useHttpPath=true",
        ])
        #expect(helper.environment["GIT_CONFIG_COUNT"] == "3")
        #expect(helper.environment["GIT_CONFIG_VALUE_1"] == helper.helperCommand)
        #expect(helper.environment["NETCLODE_AGENT_SOCKET"] == "/home/u/.netclode/agent.sock")

        try await TemporaryDirectory.with { directory in
            let path = directory.url.appendingPathComponent(".gitconfig").path
            try "[user]\n\tname = Someone\n[credential]\n\thelper = store\n".write(toFile: path, atomically: true, encoding: .utf8)
            try await helper.install(intoConfigFile: path)
            try await helper.install(intoConfigFile: path) // idempotent
            let listed = try await Git.check(["config", "--file", path, "--get-all", "credential.helper"]).stdout
            #expect(listed == "\n\(helper.helperCommand)\n")
            let name = try await Git.check(["config", "--file", path, "user.name"]).stdout
            #expect(name == "Someone\n")

            // As the agent writes it: with the identity from its config, other settings kept.
            _ = try await Git.check(["config", "--file", path, "alias.st", "status"])
            try await helper.install(intoConfigFile: path, identity: ("Netclode Agent", "agent@netclode.invalid"))
            try await helper.install(intoConfigFile: path, identity: ("Netclode Agent", "agent@netclode.invalid"))
            #expect(try await Git.check(["config", "--file", path, "--get-all", "user.name"]).stdout == "Netclode Agent\n")
            #expect(try await Git.check(["config", "--file", path, "user.email"]).stdout == "agent@netclode.invalid\n")
            #expect(try await Git.check(["config", "--file", path, "alias.st"]).stdout == "status\n")
            #expect(try await Git.check(["config", "--file", path, "--get-all", "credential.helper"]).stdout == "\n\(helper.helperCommand)\n")
        }
    }

    @Test("`netclode agent credential get` reads git's request on stdin and answers on stdout")
    func cliSpeaksGitProtocol() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-sock") { directory in
            let socketPath = directory.url.appendingPathComponent("agent.sock").path
            let server = try await CredentialServer.start(socketPath: socketPath, store: CredentialStore(Self.credentials))
            let binary = try ForgeProcess.netclodeBinary()
            func helper(_ arguments: [String], input: String, environment: [String: String] = [:]) async throws -> ProcessResult {
                var overrides: [Subprocess.Environment.Key: String?] = [:]
                for (key, value) in environment { overrides[.init(stringLiteral: key)] = value }
                let result = try await Subprocess.run(
                    .path(FilePath(binary.path)), arguments: Arguments(["agent", "credential"] + arguments),
                    environment: .inherit.updating(overrides), input: .string(input),
                    output: .string(limit: 1 << 16), error: .string(limit: 1 << 16))
                return ProcessResult(result.terminationStatus, stdout: result.standardOutput, stderr: result.standardError)
            }
            let request = "protocol=https\nhost=github.com\npath=demo/hello.git\n\n"
            let viaFlag = try await helper(["--socket", socketPath, "get"], input: request)
            #expect(viaFlag.exitCode == 0)
            #expect(viaFlag.stdout == "username=x-access-token\npassword=\(Self.helloToken)\n")

            let viaEnvironment = try await helper(["get"], input: request, environment: ["NETCLODE_AGENT_SOCKET": socketPath])
            #expect(viaEnvironment.stdout == viaFlag.stdout)

            let store = try await helper(["--socket", socketPath, "store"], input: request + "username=x\npassword=y\n")
            #expect(store.exitCode == 0 && store.stdout.isEmpty)
            let unknownOperation = try await helper(["--socket", socketPath, "frobnicate"], input: request)
            #expect(unknownOperation.exitCode == 0 && unknownOperation.stdout.isEmpty)

            await server.stop()
            let unreachable = try await helper(["--socket", socketPath, "get"], input: request)
            #expect(unreachable.exitCode != 0)
            #expect(unreachable.stdout.isEmpty)
            #expect(unreachable.stderr.contains("cannot reach the agent"))
        }
    }
}

@Suite("credential store: waiting for the first credentials")
struct CredentialStoreWaitTests {
    @Test("returns when the first update arrives, or false after the timeout")
    func waitsForFirstUpdate() async {
        let store = CredentialStore()
        #expect(await store.waitForFirstUpdate(timeout: .milliseconds(50)) == false)
        async let waited = store.waitForFirstUpdate(timeout: .seconds(10))
        try? await Task.sleep(for: .milliseconds(50))
        await store.update([RepoCredential(host: "github.com", owner: "demo", repositories: ["hello"], token: "ghs_x")])
        #expect(await waited == true)
        #expect(await store.waitForFirstUpdate(timeout: .zero) == true, "already populated")
    }
}

/// A client of the credential socket that connects and never sends anything (a stuck or
/// malicious helper), with a non-blocking check of whether the server has hung up.
final class SilentSocketClient: Sendable {
    private let descriptor: Int32

    init(socketPath: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw CredentialHelperError.socket("socket(): \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(socketPath.utf8)
        guard path.count < MemoryLayout.size(ofValue: address.sun_path) else {
            Glibc.close(descriptor)
            throw CredentialHelperError.socket("socket path too long: \(socketPath)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: path)
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(descriptor)
            throw CredentialHelperError.socket("connect(\(socketPath)): \(reason)")
        }
    }

    /// Whether the server closed the connection: end of file (or a reset) is readable.
    func isDropped() -> Bool {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 0) > 0 else { return false }
        var byte: UInt8 = 0
        let count = recv(descriptor, &byte, 1, Int32(MSG_DONTWAIT))
        return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }

    func close() {
        Glibc.close(descriptor)
    }
}
