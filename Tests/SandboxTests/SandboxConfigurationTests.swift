import Foundation
import TestSupport
import Testing

@testable import Sandbox

@Suite("Sandbox configuration")
struct SandboxConfigurationTests {
    @Test("NETCLODE_SANDBOX parsing", arguments: [
        (nil, IsolationMode.auto), ("", .auto), ("  ", .auto), ("auto", .auto), ("bwrap", .bwrap),
        ("none", .none), ("BWRAP", .bwrap), (" none\n", .none),
    ] as [(String?, IsolationMode)])
    func parsesIsolationMode(setting: String?, expected: IsolationMode) throws {
        #expect(try IsolationMode(setting: setting) == expected)
    }

    @Test("an unknown NETCLODE_SANDBOX value is an error naming the value and the choices")
    func rejectsUnknownIsolationMode() {
        let error = #expect(throws: SandboxError.self) { try IsolationMode(setting: "docker") }
        #expect(error?.code == .invalidIsolationMode)
        let message = error?.description ?? ""
        #expect(message.contains("docker") && message.contains("bwrap") && message.contains("none") && message.contains("auto"))
    }

    @Test("session ID rule", arguments: [
        ("abc", true), ("A-b_9", true), (String(repeating: "x", count: 64), true),
        ("", false), ("../x", false), ("a/b", false), ("..", false), (".", false), ("a b", false),
        ("é", false), ("a\u{0}", false), (String(repeating: "x", count: 65), false),
    ])
    func sessionIDRule(id: String, valid: Bool) {
        #expect(SessionID.isValid(id) == valid)
    }

    @Test("invalid session IDs are refused before anything is created", arguments: ["../x", "", "a/b", "..", "x/../../y"])
    func invalidSessionIDsCreateNothing(id: String) async throws {
        try await SandboxFixture.with(isolation: .none) { fixture in
            let error = await #expect(throws: SandboxError.self) {
                try await fixture.runtime.start(fixture.shell(id, "true"))
            }
            #expect(error?.code == .invalidSessionID)
            let contents = try FileManager.default.contentsOfDirectory(atPath: fixture.dataDirectory.path)
            #expect(contents.isEmpty, "created: \(contents)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.root.path) == ["data"])

            let removeError = await #expect(throws: SandboxError.self) { try await fixture.runtime.remove(sessionID: id) }
            #expect(removeError?.code == .invalidSessionID)
            #expect(FileManager.default.fileExists(atPath: fixture.dataDirectory.path))
            await fixture.runtime.stop(sessionID: id, grace: .seconds(1))
            #expect(await fixture.runtime.status(sessionID: id) == .notRunning)
        }
    }

    @Test("a relative or missing executable is refused")
    func invalidExecutable() async throws {
        try await SandboxFixture.with(isolation: .none) { fixture in
            for executable in ["sh", "/nonexistent/netclode"] {
                let error = await #expect(throws: SandboxError.self) {
                    try await fixture.runtime.start(SandboxSpec(sessionID: "s", executable: executable, arguments: [], environment: [:]))
                }
                #expect(error?.code == .invalidSpec)
                #expect(error?.description.contains(executable) == true)
            }
            let error = await #expect(throws: SandboxError.self) {
                try await fixture.runtime.start(fixture.shell("s", "true", environment: ["A=B": "x"]))
            }
            #expect(error?.code == .invalidSpec)
            #expect(await fixture.runtime.status(sessionID: "s") == .notRunning)
        }
    }

    @Test("mode none runs unisolated even without bwrap")
    func modeNoneWithoutBwrap() async throws {
        try await SandboxFixture.with(isolation: .none, searchPath: "/nonexistent") { fixture in
            #expect(!fixture.runtime.isolationInUse)
            let info = try await fixture.runtime.start(fixture.shell("plain", "echo ok > ok.txt"))
            #expect(!info.isolated)
            #expect(try await fixture.waitForExit("plain") == 0)
            #expect(try fixture.read(info.workspace.appendingPathComponent("ok.txt")) == "ok\n")
        }
    }

    @Test("mode auto without bwrap runs unisolated and warns loudly, once")
    func autoWithoutBwrapWarns() async throws {
        try await SandboxFixture.with(isolation: .auto, searchPath: "/nonexistent") { fixture in
            #expect(!fixture.runtime.isolationInUse)
            let info = try await fixture.runtime.start(fixture.shell("plain", "true"))
            #expect(!info.isolated)
            #expect(try await fixture.waitForExit("plain") == 0)
            _ = try await fixture.runtime.start(fixture.shell("plain2", "true"))
            let warnings = fixture.logs.text.split(separator: "\n").filter { $0.contains("SANDBOX ISOLATION DISABLED") }
            #expect(warnings.count == 1)
            #expect(warnings.first?.hasPrefix("warning") == true)
        }
    }

    @Test("mode bwrap without bwrap refuses to start a sandbox")
    func bwrapModeWithoutBwrap() async throws {
        try await SandboxFixture.with(isolation: .bwrap, searchPath: "/nonexistent") { fixture in
            #expect(!fixture.runtime.isolationInUse)
            let error = await #expect(throws: SandboxError.self) {
                try await fixture.runtime.start(fixture.shell("s", "true"))
            }
            #expect(error?.code == .bwrapNotFound)
            #expect(error?.description.contains("bwrap") == true)
            #expect(!FileManager.default.fileExists(atPath: fixture.runtime.directory(of: "s").path))
        }
    }

    @Test("mode auto with bwrap installed isolates", .enabled(if: bwrapAvailable))
    func autoWithBwrap() async throws {
        try await SandboxFixture.with(isolation: .auto) { fixture in
            #expect(fixture.runtime.isolationInUse)
            #expect(!fixture.logs.text.contains("SANDBOX ISOLATION DISABLED"))
        }
    }
}
