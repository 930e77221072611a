import ControlPlane
import Foundation
import GitHubApp
import Testing
import TestSupport

/// `NETCLODE_MAX_CONCURRENT_STARTS` and `NETCLODE_MAX_QUEUED_STARTS`: defaults, accepted values,
/// and a refusal naming the setting for anything else, both in-process and from `netclode serve`.
@Suite("Reliability: start-limit settings")
struct StartLimitSettingsTests {
    static let base = ["NETCLODE_API_TOKEN": ControlPlaneProcess.apiToken, "NETCLODE_SANDBOX": "none"]

    func settings(_ extra: [String: String]) throws(ControlPlaneError) -> ControlPlaneSettings {
        try ControlPlaneSettings(settings: EnvironmentSettings(Self.base.merging(extra) { _, new in new }))
    }

    @Test func defaultsAndValidValues() throws {
        let defaults = try settings([:])
        #expect(defaults.maxConcurrentStarts == 8)
        #expect(defaults.maxQueuedStarts == 64)
        let custom = try settings(["NETCLODE_MAX_CONCURRENT_STARTS": "2", "NETCLODE_MAX_QUEUED_STARTS": "0"])
        #expect(custom.maxConcurrentStarts == 2)
        #expect(custom.maxQueuedStarts == 0)
    }

    @Test(arguments: [
        ("NETCLODE_MAX_CONCURRENT_STARTS", "0"), ("NETCLODE_MAX_CONCURRENT_STARTS", "-3"), ("NETCLODE_MAX_CONCURRENT_STARTS", "eight"),
        ("NETCLODE_MAX_CONCURRENT_STARTS", "1.5"), ("NETCLODE_MAX_CONCURRENT_STARTS", "100000"), ("NETCLODE_MAX_QUEUED_STARTS", "-1"),
        ("NETCLODE_MAX_QUEUED_STARTS", "lots"),
    ])
    func unusableValuesAreRefusedByName(name: String, value: String) {
        #expect {
            _ = try settings([name: value])
        } throws: { error in
            let message = (error as? ControlPlaneError)?.message ?? ""
            return message.contains(name) && message.contains("\"\(value)\"")
        }
    }

    @Test func serveStopsWithTheSettingNamed() async throws {
        let directory = try TemporaryDirectory(prefix: "netclode-limit")
        defer { directory.remove() }
        let result = try await Command.run(try ForgeProcess.netclodeBinary().path,
                                           ["serve", "--listen", "127.0.0.1:0", "--data", directory.url.appendingPathComponent("data").path],
                                           environment: Self.base.merging(["NETCLODE_MAX_CONCURRENT_STARTS": "0"]) { _, new in new },
                                           in: directory.url)
        #expect(result.exitCode != 0)
        #expect(result.stderr.contains("NETCLODE_MAX_CONCURRENT_STARTS must be a whole number from 1 to 1024, got \"0\""), "\(result.stderr)")
        let help = try await Command.run(try ForgeProcess.netclodeBinary().path, ["serve", "--help"])
        #expect(help.stdout.contains("NETCLODE_MAX_CONCURRENT_STARTS") && help.stdout.contains("NETCLODE_MAX_QUEUED_STARTS"))
    }
}
