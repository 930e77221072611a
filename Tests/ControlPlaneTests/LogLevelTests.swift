import Foundation
import Testing
import TestSupport

/// NETCLODE_LOG_LEVEL sets how much `netclode serve` logs; `--log-level` overrides it; a value
/// that is not a level stops the server with a message naming the setting and the valid values.
@Suite("Log level", .serialized)
struct LogLevelTests {
    /// A debug line every start logs (the store opening).
    static let debugLine = "Opened session store"

    @Test func theEnvironmentSetsTheLevel() async throws {
        let debug = try await ControlPlaneProcess.start(environment: ["NETCLODE_LOG_LEVEL": "debug"], logLevel: nil)
        let debugLog = try String(contentsOf: debug.logFile, encoding: .utf8)
        await debug.remove()
        #expect(debugLog.contains(Self.debugLine), "\(debugLog)")

        let quiet = try await ControlPlaneProcess.start(environment: ["NETCLODE_LOG_LEVEL": "WARNING"], logLevel: nil)
        let quietLog = try String(contentsOf: quiet.logFile, encoding: .utf8)
        await quiet.remove()
        #expect(!quietLog.contains(Self.debugLine))
        #expect(!quietLog.contains(" info "), "no info lines at warning: \(quietLog)")

        let defaulted = try await ControlPlaneProcess.start(environment: [:], logLevel: nil)
        let defaultLog = try String(contentsOf: defaulted.logFile, encoding: .utf8)
        await defaulted.remove()
        #expect(!defaultLog.contains(Self.debugLine), "info is the default")
    }

    @Test func theFlagOverridesTheEnvironment() async throws {
        let server = try await ControlPlaneProcess.start(environment: ["NETCLODE_LOG_LEVEL": "error"], logLevel: "debug")
        let log = try String(contentsOf: server.logFile, encoding: .utf8)
        await server.remove()
        #expect(log.contains(Self.debugLine), "\(log)")
    }

    @Test(arguments: [
        (["NETCLODE_LOG_LEVEL": "loud"], [String](), "NETCLODE_LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical; got \"loud\""),
        ([:], ["--log-level", "verbose"], "--log-level must be one of trace, debug, info, notice, warning, error, critical; got \"verbose\""),
    ])
    func anInvalidLevelIsRefused(environment: [String: String], flags: [String], message: String) async throws {
        try await TemporaryDirectory.with(prefix: "netclode-loglevel") { directory in
            var full = environment
            full["NETCLODE_API_TOKEN"] = ControlPlaneProcess.apiToken
            let result = try await Command.run(
                try ForgeProcess.netclodeBinary().path,
                ["serve", "--listen", "127.0.0.1:0", "--data", directory.url.appendingPathComponent("data").path] + flags,
                environment: full, in: directory.url
            )
            #expect(result.exitCode != 0)
            #expect(result.stderr.contains(message), "\(result.stderr)")
        }
    }
}
