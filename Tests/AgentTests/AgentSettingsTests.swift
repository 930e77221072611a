import Foundation
import TestSupport
import Testing

@testable import Agent

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How the agent takes its secret: from the descriptor the sandbox runtime names, read to its end
/// and then retired, so nothing the agent starts can inherit the pipe.
@Suite("Agent settings")
struct AgentSettingsTests {
    static let base = [
        "NETCLODE_CONTROL_PLANE_URL": "http://127.0.0.1:9",
        "NETCLODE_SESSION_ID": "s1",
        "HOME": "/tmp",
    ]

    /// A pipe holding `text`, write end closed; returns the read end.
    static func pipe(holding text: String) throws -> Int32 {
        var ends: [Int32] = [-1, -1]
        try #require(Glibc.pipe(&ends) == 0)
        let bytes = Array(text.utf8)
        try #require(bytes.withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) } == bytes.count)
        close(ends[1])
        return ends[0]
    }

    @Test("the secret is read from NETCLODE_AGENT_SECRET_FD, which then points at /dev/null")
    func readsSecretFromDescriptor() throws {
        let descriptor = try Self.pipe(holding: "OTHER=x\nNETCLODE_AGENT_SECRET=s3cr3t=with=equals\n")
        defer { close(descriptor) }
        var environment = Self.base
        environment["NETCLODE_AGENT_SECRET_FD"] = "\(descriptor)"
        environment["NETCLODE_AGENT_SECRET"] = "ignored-when-the-descriptor-is-named"
        let settings = try AgentSettings(environment: environment)
        #expect(settings.secret == "s3cr3t=with=equals")

        let target = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(descriptor)")
        #expect(target == "/dev/null", "the descriptor still refers to \(target)")
    }

    @Test("a descriptor that does not deliver the secret, or is not a number, is an error naming the variable",
          arguments: ["", "OTHER=x\n", "NETCLODE_AGENT_SECRET=\n"])
    func descriptorWithoutSecret(payload: String) throws {
        let descriptor = try Self.pipe(holding: payload)
        defer { close(descriptor) }
        var environment = Self.base
        environment["NETCLODE_AGENT_SECRET_FD"] = "\(descriptor)"
        let error = #expect(throws: AgentError.self) { try AgentSettings(environment: environment) }
        #expect(error?.description.contains("NETCLODE_AGENT_SECRET_FD") == true, "\(String(describing: error))")
        #expect(error?.description.contains("NETCLODE_AGENT_SECRET") == true)
    }

    @Test("NETCLODE_AGENT_SECRET_FD must be a descriptor number")
    func descriptorNotANumber() {
        var environment = Self.base
        environment["NETCLODE_AGENT_SECRET_FD"] = "stdin"
        let error = #expect(throws: AgentError.self) { try AgentSettings(environment: environment) }
        #expect(error?.description.contains("NETCLODE_AGENT_SECRET_FD") == true)
        #expect(error?.description.contains("stdin") == true)
    }

    @Test("a hand-started agent may take the secret from NETCLODE_AGENT_SECRET; without either it is missing")
    func environmentFallback() throws {
        var environment = Self.base
        environment["NETCLODE_AGENT_SECRET"] = "by-hand"
        #expect(try AgentSettings(environment: environment).secret == "by-hand")
        let error = #expect(throws: AgentError.self) { try AgentSettings(environment: Self.base) }
        #expect(error?.description.contains("NETCLODE_AGENT_SECRET is not set") == true)
    }

    /// The Kubernetes runtime's handover: a file in a memory volume, deleted once read, so the
    /// commands the agent runs find nothing.
    @Test("the secret is read from the file NETCLODE_AGENT_SECRET_FILE names, which is then deleted")
    func readsSecretFromFile() async throws {
        try await TemporaryDirectory.with(prefix: "agent-secret") { directory in
            let file = directory.url.appendingPathComponent("agent-secret")
            try "NETCLODE_AGENT_SECRET=from-a-file\n".write(to: file, atomically: true, encoding: .utf8)
            var environment = Self.base
            environment["NETCLODE_AGENT_SECRET_FILE"] = file.path
            #expect(try AgentSettings(environment: environment).secret == "from-a-file")
            #expect(!FileManager.default.fileExists(atPath: file.path))

            // Gone: a second agent (or a command) reading it gets nothing.
            let missing = #expect(throws: AgentError.self) { try AgentSettings(environment: environment) }
            #expect(missing?.description.contains("cannot be opened") == true)
        }
    }

    /// A secret file on a read-only mount (as a Secret volume mounted straight into the
    /// container is) cannot be deleted: `netclode agent` refuses to start. Under bubblewrap, so
    /// the mount is really read-only, for root too.
    @Test("a secret file that cannot be deleted fails the start: commands could read it",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap"), "needs bubblewrap"))
    func undeletableSecretFile() async throws {
        try await TemporaryDirectory.with(prefix: "agent-secret") { directory in
            let file = directory.url.appendingPathComponent("agent-secret")
            try "NETCLODE_AGENT_SECRET=stuck\n".write(to: file, atomically: true, encoding: .utf8)
            let netclode = try ForgeProcess.netclodeBinary().path
            let result = try await Command.run("/usr/bin/bwrap", [
                "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
                "--ro-bind", directory.url.path, directory.url.path, "--", netclode, "agent",
            ], environment: Self.base.merging(["NETCLODE_AGENT_SECRET_FILE": file.path]) { $1 })
            #expect(result.exitCode != 0)
            #expect(result.stderr.contains("cannot be deleted after reading"), "\(result.stderr)")
            #expect(FileManager.default.fileExists(atPath: file.path))
        }
    }
}
