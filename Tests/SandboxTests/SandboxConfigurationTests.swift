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
                try await fixture.runtime.startLocal(fixture.shell(id, "true"))
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
                    try await fixture.runtime.startLocal(SandboxSpec(sessionID: "s", arguments: [], environment: [:], hostExecutable: executable))
                }
                #expect(error?.code == .invalidSpec)
                #expect(error?.description.contains(executable) == true)
            }
            let error = await #expect(throws: SandboxError.self) {
                try await fixture.runtime.startLocal(fixture.shell("s", "true", environment: ["A=B": "x"]))
            }
            #expect(error?.code == .invalidSpec)
            #expect(await fixture.runtime.status(sessionID: "s") == .notRunning)
        }
    }

    @Test("mode none runs unisolated even without bwrap")
    func modeNoneWithoutBwrap() async throws {
        try await SandboxFixture.with(isolation: .none, searchPath: "/nonexistent") { fixture in
            #expect(!fixture.runtime.isolationInUse)
            let info = try await fixture.runtime.startLocal(fixture.shell("plain", "echo ok > ok.txt"))
            #expect(!info.isolated)
            #expect(try await fixture.waitForExit("plain") == 0)
            #expect(try fixture.read(info.workspace.appendingPathComponent("ok.txt")) == "ok\n")
        }
    }

    /// Issue 10, item 3: `auto` used to fall back to running unisolated after a log warning, so a
    /// machine without bubblewrap handed every sandbox the App key and the database.
    @Test("without bwrap, mode auto (the default) and bwrap fail closed: no sandbox starts, the error names both fixes", arguments: [IsolationMode.auto, .bwrap])
    func withoutBwrapRefuses(mode: IsolationMode) async throws {
        try await SandboxFixture.with(isolation: mode, searchPath: "/nonexistent") { fixture in
            #expect(!fixture.runtime.isolationInUse)
            let error = await #expect(throws: SandboxError.self) {
                try await fixture.runtime.startLocal(fixture.shell("plain", "echo ran > ran.txt"))
            }
            #expect(error?.code == .bwrapNotFound)
            let message = error?.description ?? ""
            #expect(message.contains("session plain"), "\(message)")
            #expect(message.contains("NETCLODE_SANDBOX=\(mode.rawValue)"), "\(message)")
            #expect(message.contains("apt-get install bubblewrap"), "\(message)")
            #expect(message.contains("NETCLODE_SANDBOX=none"), "\(message)")
            // Nothing half-made: no process, no directory, no log.
            #expect(await fixture.runtime.status(sessionID: "plain") == .notRunning)
            #expect(!FileManager.default.fileExists(atPath: fixture.runtime.directory(of: "plain").path))
            #expect(!FileManager.default.fileExists(atPath: fixture.runtime.logFile(of: "plain").path))
            // The operator hears about it once, at start-up, as an error naming the fix.
            let lines = fixture.logs.text.split(separator: "\n").filter { $0.contains("bubblewrap (bwrap) was not found") }
            #expect(lines.count == 1)
            #expect(lines.first?.hasPrefix("error") == true, "\(lines)")
        }
    }

    @Test("mode auto with bwrap installed isolates", .enabled(if: bwrapAvailable))
    func autoWithBwrap() async throws {
        try await SandboxFixture.with(isolation: .auto) { fixture in
            #expect(fixture.runtime.isolationInUse)
            #expect(!fixture.logs.text.contains("not found"))
        }
    }
}
