import Foundation
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
}
