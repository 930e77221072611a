import Foundation
import TestSupport
import Testing

@testable import Sandbox

/// What a process sees from inside a bubblewrap sandbox: real `bwrap`, real processes. Each
/// script writes its findings into its own workspace; the test reads them from outside.
@Suite("Sandbox isolation (bubblewrap)", .enabled(if: bwrapAvailable, "bwrap is not installed"))
struct SandboxIsolationTests {
    @Test("the process cannot read the data directory, a hidden path, another session or the host /tmp")
    func protectedFilesAreInvisible() async throws {
        try await SandboxFixture.with(hiddenPaths: { root in [root.url.appendingPathComponent("app-key.pem").path] }) { fixture in
            let database = fixture.dataDirectory.appendingPathComponent("netclode.sqlite")
            try Data("database".utf8).write(to: database)
            let key = fixture.root.url.appendingPathComponent("app-key.pem")
            try Data("stand-in for the App private key".utf8).write(to: key)
            let otherWorkspace = fixture.runtime.directory(of: "other").appendingPathComponent("workspace")
            try FileManager.default.createDirectory(at: otherWorkspace, withIntermediateDirectories: true)
            let otherFile = otherWorkspace.appendingPathComponent("secret.txt")
            try Data("other session".utf8).write(to: otherFile)
            let hostTemporary = URL(fileURLWithPath: "/tmp/netclode-sandbox-probe-\(UUID().uuidString)")
            try Data("host tmp".utf8).write(to: hostTemporary)
            defer { try? FileManager.default.removeItem(at: hostTemporary) }

            let probes = [database.path, key.path, otherFile.path, hostTemporary.path,
                          fixture.runtime.logFile(of: "mine").path]
            let script = """
                for f in \(probes.map { "'\($0)'" }.joined(separator: " ")); do
                  if cat "$f" >/dev/null 2>&1; then echo "READ $f"; else echo "DENIED $f"; fi
                done > result.txt
                ls -a '\(fixture.runtime.sessionsDirectory.path)' > sessions.txt 2>&1
                ls -a '\(fixture.dataDirectory.path)' > data.txt 2>&1
                """
            let info = try await fixture.runtime.startLocal(fixture.shell("mine", script))
            #expect(info.isolated)
            #expect(try await fixture.waitForExit("mine") == 0)

            let result = try fixture.read(info.workspace.appendingPathComponent("result.txt"))
            for probe in probes {
                #expect(result.contains("DENIED \(probe)"), "\(probe) was readable:\n\(result)")
            }
            #expect(!result.contains("READ"))
            let sessions = try fixture.read(info.workspace.appendingPathComponent("sessions.txt"))
            #expect(!sessions.contains("other"), "other sessions are listed: \(sessions)")
            let data = try fixture.read(info.workspace.appendingPathComponent("data.txt"))
            #expect(!data.contains("netclode.sqlite") && !data.contains("logs"), "data directory listed: \(data)")
        }
    }

    @Test("/tmp is private: what the sandbox writes there does not reach the host")
    func privateTemporaryDirectory() async throws {
        try await SandboxFixture.with { fixture in
            let name = "netclode-sandbox-private-\(UUID().uuidString)"
            let info = try await fixture.runtime.startLocal(fixture.shell("tmp", """
                echo inside > /tmp/\(name) && cat /tmp/\(name) > seen.txt
                """))
            #expect(try await fixture.waitForExit("tmp") == 0)
            #expect(try fixture.read(info.workspace.appendingPathComponent("seen.txt")) == "inside\n")
            #expect(!FileManager.default.fileExists(atPath: "/tmp/\(name)"))
        }
    }

    @Test("the process has its own PID namespace and no capabilities")
    func ownPIDNamespaceWithoutCapabilities() async throws {
        try await SandboxFixture.with { fixture in
            let info = try await fixture.runtime.startLocal(fixture.shell("pids", """
                echo $$ > pid.txt
                ls /proc | grep -c '^[0-9][0-9]*$' > count.txt
                grep '^CapEff:' /proc/self/status > caps.txt
                """))
            #expect(try await fixture.waitForExit("pids") == 0)
            let pid = try fixture.read(info.workspace.appendingPathComponent("pid.txt")).trimmingCharacters(in: .whitespacesAndNewlines)
            let count = try fixture.read(info.workspace.appendingPathComponent("count.txt")).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(Int(pid) ?? 999 <= 3, "the shell is PID \(pid) inside")
            #expect(Int32(pid) != info.pid)
            #expect(Int(count) ?? 999 < 10, "\(count) processes visible")
            let caps = try fixture.read(info.workspace.appendingPathComponent("caps.txt"))
            #expect(caps.contains("0000000000000000"), "capabilities: \(caps)")
        }
    }

    @Test("writes to the workspace are visible outside, and the workspace survives a restart")
    func workspaceIsSharedAndKept() async throws {
        try await SandboxFixture.with { fixture in
            let first = try await fixture.runtime.startLocal(fixture.shell("ws", "echo hello > note.txt; mkdir -p \"$HOME/.config\""))
            #expect(try await fixture.waitForExit("ws") == 0)
            #expect(try fixture.read(first.workspace.appendingPathComponent("note.txt")) == "hello\n")
            #expect(FileManager.default.fileExists(atPath: first.home.appendingPathComponent(".config").path))

            let second = try await fixture.runtime.startLocal(fixture.shell("ws", "cat note.txt > again.txt"))
            #expect(try await fixture.waitForExit("ws") == 0)
            #expect(second.workspace == first.workspace)
            #expect(try fixture.read(second.workspace.appendingPathComponent("again.txt")) == "hello\n")
        }
    }

    @Test("the real netclode binary runs inside the sandbox (its Swift libraries are bound)")
    func netclodeBinaryRuns() async throws {
        let binary = try ForgeProcess.netclodeBinary()
        try await SandboxFixture.with { fixture in
            let info = try await fixture.runtime.startLocal(SandboxSpec(
                sessionID: "agent", arguments: ["--help"], environment: [:], hostExecutable: binary.path))
            #expect(info.isolated)
            let code = try await fixture.exits.wait(for: "agent")
            #expect(code == 0, "log:\n\(fixture.log(of: "agent"))")
            #expect(fixture.log(of: "agent").contains("USAGE"), "log:\n\(fixture.log(of: "agent"))")
        }
    }

    @Test("a hidden path inside a system directory refuses the start, before anything is created")
    func hiddenPathUnderSystemDirectoryRefuses() async throws {
        try await SandboxFixture.with(hiddenPaths: { _ in ["/etc/hosts"] }) { fixture in
            let error = await #expect(throws: SandboxError.self) {
                try await fixture.runtime.startLocal(fixture.shell("s1", "true"))
            }
            #expect(error?.code == .wouldExposeProtectedPath)
            #expect(error?.description.contains("/etc") == true)
            #expect(!FileManager.default.fileExists(atPath: fixture.runtime.directory(of: "s1").path))
            #expect(await fixture.runtime.status(sessionID: "s1") == .notRunning)
        }
    }

    @Test("an executable inside the data directory is refused")
    func executableInsideDataDirectoryRefuses() async throws {
        try await SandboxFixture.with { fixture in
            let executable = fixture.dataDirectory.appendingPathComponent("tool")
            try Data("#!/bin/sh\ntrue\n".utf8).write(to: executable)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: executable.path)
            let error = await #expect(throws: SandboxError.self) {
                try await fixture.runtime.startLocal(SandboxSpec(sessionID: "s1", arguments: [], environment: [:], hostExecutable: executable.path))
            }
            #expect(error?.code == .wouldExposeProtectedPath)
        }
    }
}
