import NetclodeProto
import Foundation
import Testing
import TestSupport

/// A test that throws before its fixture's `finish()` (which `defer` cannot `await`) must leave
/// nothing running and nothing on disk: not `netclode serve`, not its sandboxes (isolated or not),
/// not the forge, not their temporary directories. A shared CI machine would otherwise collect
/// servers from every failing run.
@Suite("Fixture cleanup when a test throws", .serialized)
struct FixtureCleanupTests {
    struct Thrown: Error {}

    @Test("nothing outlives a fixture whose test threw", arguments: ["none", "auto"])
    func nothingOutlivesAThrowingTest(sandbox: String) async throws {
        var processes: [String: Int32] = [:]
        var directories: [URL] = []
        do {
            let forge = try await ForgeProcess.start(repos: ["demo/hello"])
            let environment = ControlPlaneProcess.githubEnvironment(for: forge).merging(["NETCLODE_SANDBOX": sandbox]) { _, new in new }
            let controlPlane = try await ControlPlaneProcess.start(environment: environment)
            let fixture = SessionsFixture(forge: forge, controlPlane: controlPlane, client: SessionsFixture.client(for: controlPlane))
            let session = try await fixture.create(repos: ["demo/hello"])
            try await fixture.waitFor(session.id, status: "ready")
            processes = [
                "netclode serve": controlPlane.processIdentifier,
                "netclode forge": forge.processIdentifier,
                "the agent": try #require(SandboxProcesses.agentPID(of: session.id), "the agent of \(session.id)"),
            ]
            directories = [controlPlane.dataDirectory.deletingLastPathComponent(), forge.dataDirectory.deletingLastPathComponent()]
            throw Thrown()  // as a failing `try` would, before `await fixture.finish()`
        } catch is Thrown {}

        let deadline = ContinuousClock.now + .seconds(60)
        func leftovers() -> [String] {
            processes.filter { Self.isAlive($0.value) }.map { "\($0.key) (pid \($0.value))" }.sorted()
                + directories.filter { FileManager.default.fileExists(atPath: $0.path) }.map(\.path)
        }
        while !leftovers().isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(processes.count == 3)
        #expect(leftovers().isEmpty, "left behind: \(leftovers())")
    }

    /// Whether `pid` is a process that has not exited (a zombie has).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let end = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: end)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }
}
