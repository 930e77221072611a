import Foundation
import Testing
import TestSupport

/// The secrets scan itself: it must find what it looks for wherever it hides, or every suite that
/// relies on it would pass vacuously.
@Suite("Reliability: the secrets scan finds planted secrets")
struct SecretScanTests {
    static let token = "ghs_" + "0123456789abcdefghijklmnopqrstuvwxyz"

    @Test func findsTokensAndKeysInBinaryFilesAnywhereBelowTheRoot() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-scan") { directory in
            let nested = directory.url.appendingPathComponent("sessions/s1/workspace/.git/objects/ab", isDirectory: true)
            try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
            #expect(SecretScan.files(under: directory.url).isEmpty, "nothing planted yet")
            // Not valid UTF-8 around the token, as in a SQLite page or a WAL frame.
            try Data([0xFF, 0x00, 0xC0] + Array(Self.token.utf8) + [0x00, 0xFE]).write(to: nested.appendingPathComponent("netclode.sqlite-wal"))
            try Data("-----BEGIN PLANTED MARKER (no key material)-----\n".utf8).write(to: directory.url.appendingPathComponent("key.log"))
            let findings = SecretScan.files(under: directory.url)
            #expect(findings.contains { $0.marker == "ghs_" && $0.place.hasSuffix("netclode.sqlite-wal") }, "\(findings)")
            #expect(findings.contains { $0.marker == "-----BEGIN" && $0.place.hasSuffix("key.log") }, "\(findings)")
        }
        #expect(SecretScan.text("answer: \(Self.token)", source: "t").count == 1)
        #expect(SecretScan.text("a harmless answer", source: "t").isEmpty)
    }

    @Test func findsTokensInSandboxEnvironmentsExceptAnExecedGitHubToken() async throws {
        let session = "scan-\(UUID().uuidString.prefix(8))"
        let leaking = try Self.sleeper(session: session, environment: ["LEAKED": Self.token])
        let allowed = try Self.sleeper(session: session, environment: ["GITHUB_TOKEN": Self.token])
        defer {
            leaking.terminate()
            allowed.terminate()
        }
        // /proc shows the environment once the process has exec'd.
        var findings: [SecretScan.Finding] = []
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            findings = SecretScan.sandboxProcesses(of: [session])
            if SandboxProcesses.all().filter({ $0.sessionID == session }).count == 2 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(findings.count == 1, "\(findings)")
        #expect(findings.first?.place.contains("LEAKED") == true, "\(findings)")
        #expect(findings.first?.place.contains("pid \(leaking.processIdentifier)") == true, "\(findings)")
    }

    /// `sleep 60` with a sandbox's session ID and `environment`.
    static func sleeper(session: String, environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["60"]
        process.environment = ["NETCLODE_SESSION_ID": session, "PATH": "/usr/bin:/bin"].merging(environment) { _, new in new }
        try process.run()
        return process
    }
}
