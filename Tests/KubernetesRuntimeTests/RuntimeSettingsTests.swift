import Foundation
import KubernetesRuntime
import KubernetesStandIn
import Logging
import TestSupport
import Testing

/// The runtime's settings and `netclode doctor`'s runtime check.
@Suite("Kubernetes runtime settings and access check", .serialized)
struct RuntimeSettingsTests {
    @Test func defaultsAndOverrides() async throws {
        let cluster = try await StandInCluster.start()
        defer { Task { await cluster.remove() } }
        let kubeconfig = try cluster.writeKubeconfig().path
        let defaults = try KubernetesRuntimeSettings(environment: ["KUBECONFIG": kubeconfig, "NETCLODE_AGENT_IMAGE": "img:1"])
        #expect(defaults.namespace == "netclode", "the kubeconfig context's namespace")
        #expect(defaults.imagePullPolicy == "IfNotPresent")
        #expect(defaults.resources == KubernetesRuntimeSettings.Resources())
        #expect(defaults.workspaceSize == "10Gi" && defaults.storageClassName == nil && defaults.runtimeClassName == nil)
        let custom = try KubernetesRuntimeSettings(environment: [
            "KUBECONFIG": kubeconfig, "NETCLODE_AGENT_IMAGE": "img:1", "NETCLODE_K8S_NAMESPACE": "sandboxes",
            "NETCLODE_K8S_RUNTIME_CLASS": "gvisor", "NETCLODE_K8S_MEMORY_LIMIT": "8Gi", "NETCLODE_K8S_WORKSPACE_SIZE": "50Gi",
            "NETCLODE_K8S_STORAGE_CLASS": "local-path", "NETCLODE_AGENT_IMAGE_PULL_POLICY": "Always",
        ])
        #expect(custom.namespace == "sandboxes" && custom.runtimeClassName == "gvisor" && custom.resources.memoryLimit == "8Gi")
        #expect(custom.workspaceSize == "50Gi" && custom.storageClassName == "local-path" && custom.imagePullPolicy == "Always")
    }

    @Test("a bad setting stops the start, naming it", arguments: [
        (["NETCLODE_AGENT_IMAGE": ""], "NETCLODE_AGENT_IMAGE"),
        (["NETCLODE_K8S_MEMORY_LIMIT": "4GB"], "NETCLODE_K8S_MEMORY_LIMIT=\"4GB\" is not a Kubernetes quantity"),
        (["NETCLODE_K8S_NAMESPACE": "Sandboxes"], "NETCLODE_K8S_NAMESPACE=\"Sandboxes\" is not a Kubernetes name"),
        (["NETCLODE_AGENT_IMAGE_PULL_POLICY": "Sometimes"], "NETCLODE_AGENT_IMAGE_PULL_POLICY"),
        (["KUBECONFIG": "/nonexistent/kubeconfig"], "the kubeconfig /nonexistent/kubeconfig cannot be read"),
    ])
    func badSettings(overrides: [String: String], expected: String) async throws {
        try await TemporaryDirectory.with(prefix: "k8s-settings") { directory in
            let kubeconfig = directory.url.appendingPathComponent("config")
            try KubeConfigTests.minimal().write(to: kubeconfig, atomically: true, encoding: .utf8)
            var environment = ["KUBECONFIG": kubeconfig.path, "NETCLODE_AGENT_IMAGE": "img:1"]
            environment.merge(overrides) { $1 }
            #expect {
                _ = try KubernetesRuntimeSettings(environment: environment)
            } throws: { error in
                "\(error)".contains(expected)
            }
        }
    }

    @Test func noClusterAtAllIsNamed() {
        #expect {
            _ = try KubernetesRuntimeSettings(environment: ["NETCLODE_AGENT_IMAGE": "img:1", "HOME": "/nonexistent"])
        } throws: { error in
            "\(error)".contains("no cluster to talk to")
        }
    }

    @Test func theAccessCheckPassesWithEveryVerbAndNamesTheMissingOnes() async throws {
        for denied in [Set<String>(), ["delete secrets", "watch pods"]] {
            var options = StandInCluster.Options()
            options.deniedAccess = denied
            let cluster = try await StandInCluster.start(options)
            let settings = try KubernetesRuntimeSettings(environment: ["KUBECONFIG": try cluster.writeKubeconfig().path, "NETCLODE_AGENT_IMAGE": "img:1"])
            let check = await KubernetesRuntimeCheck.run(settings: settings, logger: Logger(label: "doctor"))
            if denied.isEmpty {
                #expect(check.ok, "\(check)")
                #expect(check.message.contains("v1.32.0-standin") && check.fix == nil)
            } else {
                #expect(!check.ok)
                #expect(check.message.contains("watch pods") && check.message.contains("delete secrets"), "\(check.message)")
                #expect(check.fix?.contains("deploy/kubernetes") == true)
            }
            let reviews = cluster.captured.all.filter { $0.path.hasSuffix("/selfsubjectaccessreviews") }
            #expect(reviews.count == KubernetesRuntimeCheck.requiredAccess.count)
            await cluster.remove()
        }
    }

    @Test func theAccessCheckNamesRefusedCredentialsAndAnUnreachableServer() async throws {
        let cluster = try await StandInCluster.start()
        let kubeconfig = try cluster.writeKubeconfig()
        let wrongToken = try String(contentsOf: kubeconfig, encoding: .utf8).replacingOccurrences(of: cluster.options.token, with: "wrong-token")
        try wrongToken.write(to: kubeconfig, atomically: true, encoding: .utf8)
        let settings = try KubernetesRuntimeSettings(environment: ["KUBECONFIG": kubeconfig.path, "NETCLODE_AGENT_IMAGE": "img:1"])
        let refused = await KubernetesRuntimeCheck.run(settings: settings, logger: Logger(label: "doctor"))
        #expect(!refused.ok && refused.message.contains("refuses the credentials"), "\(refused.message)")
        await cluster.remove()
        let gone = await KubernetesRuntimeCheck.run(settings: settings, logger: Logger(label: "doctor"))
        #expect(!gone.ok && gone.message.contains("does not answer"), "\(gone.message)")
    }
}
