import ControlPlane
import Foundation
import GitHubApp
import KubernetesStandIn
import Testing
import TestSupport

/// `NETCLODE_RUNTIME` and `NETCLODE_AGENT_CALLBACK_URL`: defaults, what the kubernetes runtime
/// requires, and `netclode serve` stopping with the setting named.
@Suite("Runtime selection settings")
struct RuntimeSelectionTests {
    static let base = ["NETCLODE_API_TOKEN": ControlPlaneProcess.apiToken, "NETCLODE_SANDBOX": "none"]

    func settings(_ extra: [String: String]) throws(ControlPlaneError) -> ControlPlaneSettings {
        try ControlPlaneSettings(settings: EnvironmentSettings(Self.base.merging(extra) { _, new in new }))
    }

    @Test func localByDefaultAgentsDialTheBoundAddress() throws {
        let defaults = try settings([:])
        #expect(defaults.runtime == .local && defaults.agentCallbackURL == nil)
        let kubernetes = try settings(["NETCLODE_RUNTIME": " Kubernetes ", "NETCLODE_AGENT_CALLBACK_URL": "http://netclode.netclode.svc.cluster.local:8080/"])
        #expect(kubernetes.runtime == .kubernetes)
        #expect(kubernetes.agentCallbackURL?.absoluteString == "http://netclode.netclode.svc.cluster.local:8080", "no trailing slash")
        #expect(kubernetes.readyWarnings.isEmpty, "NETCLODE_SANDBOX=none is about local sandboxes")
    }

    @Test("refused, naming the setting", arguments: [
        (["NETCLODE_RUNTIME": "docker"], "NETCLODE_RUNTIME=\"docker\" is not a sandbox runtime; choose one of: local, kubernetes"),
        (["NETCLODE_RUNTIME": "kubernetes"], "NETCLODE_RUNTIME=kubernetes needs NETCLODE_AGENT_CALLBACK_URL"),
        (["NETCLODE_AGENT_CALLBACK_URL": "netclode:8080"], "NETCLODE_AGENT_CALLBACK_URL must be an http:// or https:// URL"),
        (["NETCLODE_AGENT_CALLBACK_URL": "http://cp:8080/?x=1"], "NETCLODE_AGENT_CALLBACK_URL must be an http:// or https:// URL"),
        (["NETCLODE_RUNTIME": "kubernetes", "NETCLODE_AGENT_CALLBACK_URL": "http://cp:8080", "NETCLODE_SANDBOX_NETWORK": "isolated"],
         "NETCLODE_SANDBOX_NETWORK=isolated is a local-runtime network"),
    ])
    func refused(extra: [String: String], expected: String) {
        #expect {
            _ = try settings(extra)
        } throws: { error in
            ((error as? ControlPlaneError)?.message ?? "").contains(expected)
        }
    }

    /// The kubernetes runtime's own settings are checked before anything listens.
    @Test func serveStopsOnAnUnusableKubernetesSetting() async throws {
        let cluster = try await StandInCluster.start()
        defer { Task { await cluster.remove() } }
        let kubeconfig = try cluster.writeKubeconfig().path
        for (extra, expected) in [
            (["KUBECONFIG": kubeconfig], "needs NETCLODE_AGENT_IMAGE"),
            (["KUBECONFIG": kubeconfig, "NETCLODE_AGENT_IMAGE": "img:1", "NETCLODE_K8S_CPU_LIMIT": "two"], "NETCLODE_K8S_CPU_LIMIT=\"two\" is not a Kubernetes quantity"),
            (["KUBECONFIG": "/nonexistent", "NETCLODE_AGENT_IMAGE": "img:1"], "the kubeconfig /nonexistent cannot be read"),
        ] {
            let directory = try TemporaryDirectory(prefix: "netclode-runtime")
            defer { directory.remove() }
            let environment = Self.base.merging(["NETCLODE_RUNTIME": "kubernetes", "NETCLODE_AGENT_CALLBACK_URL": "http://127.0.0.1:9"]) { $1 }
                .merging(extra) { $1 }
            let result = try await Command.run(try ForgeProcess.netclodeBinary().path,
                                               ["serve", "--listen", "127.0.0.1:0", "--data", directory.url.appendingPathComponent("data").path],
                                               environment: environment, in: directory.url)
            #expect(result.exitCode != 0)
            #expect(result.stderr.contains(expected), "\(result.stderr)")
        }
        let help = try await Command.run(try ForgeProcess.netclodeBinary().path, ["serve", "--help"])
        #expect(help.stdout.contains("NETCLODE_RUNTIME") && help.stdout.contains("NETCLODE_AGENT_CALLBACK_URL") && help.stdout.contains("NETCLODE_AGENT_IMAGE"))
    }
}
