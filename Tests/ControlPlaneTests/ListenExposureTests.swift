import ControlPlane
import GitHubApp
import Testing
import TestSupport

/// Which `--listen` addresses `netclode serve` warns about: anything other machines can reach,
/// since the API speaks plain HTTP and the token would cross the network in clear text. Checked on
/// the settings rather than by starting a server on a non-loopback address.
@Suite("Listen address exposure")
struct ListenExposureTests {
    @Test(arguments: [
        ("127.0.0.1:8080", true), ("127.1.2.3:0", true), ("localhost:8080", true), ("[::1]:8080", true),
        ("0.0.0.0:8080", false), ("192.0.2.1:8080", false), ("[::]:8080", false), ("10.0.0.5:80", false),
    ])
    func loopbackOnly(listen: String, loopback: Bool) throws {
        let settings = try ControlPlaneSettings(
            settings: EnvironmentSettings(["NETCLODE_API_TOKEN": ControlPlaneProcess.apiToken]),
            overrides: .init(listen: listen))
        #expect(settings.listensOnLoopbackOnly == loopback, "\(listen)")
    }
}
