import Foundation
import Testing
import TestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// deploy/kubernetes as `kubectl apply -k` would send it: rendered by kubectl's kustomize, every
/// object validated against Kubernetes' published schemas, and the parts that must agree with
/// the code (probe paths, ports, settings names, the image, the Role) checked against it.
@Suite("deploy/kubernetes")
struct KustomizeTests {
    static let seedVariables: Set = ["GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY_B64", "GITHUB_INSTALLATION_ID", "NETCLODE_API_TOKEN"]

    @Test("kubectl kustomize renders the base, and kubernetes-validate --strict accepts every object; a misspelt field is caught")
    func validatesAgainstKubernetesSchemas() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-kustomize") { directory in
            let rendered = try await DeployFiles.render(in: directory)
            let objects = try await DeployFiles.objects(of: rendered, in: directory)
            let python = try await DeployFiles.python()
            let file = directory.url.appendingPathComponent("rendered.yaml")
            try rendered.write(to: file, atomically: true, encoding: .utf8)
            for version in DeployFiles.kubernetesVersions {
                let result = try await Command.run(python, ["-m", "kubernetes_validate", "--strict", "-k", version, file.path])
                let output = result.stdout + result.stderr
                #expect(result.succeeded, "Kubernetes \(version):\n\(output)")
                let passed = output.split(separator: "\n").filter { $0.contains(" passed for resource ") }
                #expect(passed.count == objects.count, "every one of the \(objects.count) objects validated against \(version):\n\(output)")
                #expect(!output.contains("WARN") && !output.contains("ERROR"), "\(output)")
            }
            // The validator is not a rubber stamp: one misspelt field fails it.
            let misspelt = directory.url.appendingPathComponent("misspelt.yaml")
            try rendered.replacingOccurrences(of: "readOnlyRootFilesystem", with: "readOnlyRootFileSystem").write(to: misspelt, atomically: true, encoding: .utf8)
            let refused = try await Command.run(python, ["-m", "kubernetes_validate", "--strict", "-k", DeployFiles.kubernetesVersions[0], misspelt.path])
            #expect(!refused.succeeded && (refused.stdout + refused.stderr).contains("readOnlyRootFileSystem"), "\(refused.stdout)\(refused.stderr)")
        }
    }

    @Test("the rendered objects: names, namespace, Secret from .env, the Deployment's settings, probes, security, the Role and the NetworkPolicies")
    func renderedObjects() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-kustomize") { directory in
            let objects = try await DeployFiles.objects(of: try await DeployFiles.render(in: directory), in: directory)
            func kind(_ kind: String) -> [[String: Any]] { objects.filter { $0["kind"] as? String == kind } }
            func named(_ kind: String, _ name: String) throws -> [String: Any] {
                try #require(objects.first { $0["kind"] as? String == kind && $0[path: "metadata", "name"] as? String == name }, "\(kind)/\(name)")
            }
            let names = Set(objects.map { "\($0["kind"] as? String ?? "?")/\($0[path: "metadata", "name"] as? String ?? "?")" })
            for expected in ["Namespace/netclode", "ServiceAccount/control-plane", "ServiceAccount/default", "Role/control-plane", "RoleBinding/control-plane",
                             "Service/control-plane", "PersistentVolumeClaim/control-plane-data", "Deployment/control-plane",
                             "NetworkPolicy/default-deny-ingress", "NetworkPolicy/control-plane-ingress", "NetworkPolicy/sandbox"] {
                #expect(names.contains(expected), "\(expected) in \(names.sorted())")
            }
            for object in objects where object["kind"] as? String != "Namespace" {
                #expect(object[path: "metadata", "namespace"] as? String == "netclode", "\(object["kind"] ?? "?") \(object[path: "metadata", "name"] ?? "?")")
            }
            #expect(try named("Namespace", "netclode")[path: "metadata", "labels", "pod-security.kubernetes.io/enforce"] as? String == "restricted")
            #expect(try named("ServiceAccount", "default")["automountServiceAccountToken"] as? Bool == false)

            // The Secret: exactly the seed's variables, from .env.
            let secret = try #require(kind("Secret").first)
            let secretName = try #require(secret[path: "metadata", "name"] as? String)
            #expect(secretName.hasPrefix("netclode-secrets-"))
            #expect(Set((secret["data"] as? [String: Any] ?? [:]).keys) == Self.seedVariables)
            let configMap = try #require(kind("ConfigMap").first)
            let configName = try #require(configMap[path: "metadata", "name"] as? String)

            // The Deployment: the settings serve reads, the image, probes on real paths, hardening.
            let deployment = try named("Deployment", "control-plane")
            let pod = try #require(deployment[path: "spec", "template", "spec"] as? [String: Any])
            let container = try #require((pod["containers"] as? [[String: Any]])?.first)
            #expect(container["args"] as? [String] == ["serve"])
            let environment = Dictionary(((container["env"] as? [[String: Any]]) ?? []).map { ($0["name"] as? String ?? "", $0) }) { first, _ in first }
            #expect(environment["NETCLODE_RUNTIME"]?["value"] as? String == "kubernetes")
            #expect(environment["NETCLODE_LISTEN"]?["value"] as? String == "0.0.0.0:8080")
            #expect(environment["NETCLODE_DATA_DIR"]?["value"] as? String == "/var/lib/netclode")
            #expect(environment["NETCLODE_K8S_NAMESPACE"]?[path: "valueFrom", "fieldRef", "fieldPath"] as? String == "metadata.namespace")
            #expect(environment["NETCLODE_AGENT_CALLBACK_URL"]?["value"] as? String == "http://control-plane.$(NETCLODE_K8S_NAMESPACE).svc:8080")
            let envFrom = (container["envFrom"] as? [[String: Any]]) ?? []
            #expect(envFrom.compactMap { $0[path: "secretRef", "name"] as? String } == [secretName], "the generated Secret, hash and all")
            #expect(envFrom.compactMap { $0[path: "configMapRef", "name"] as? String } == [configName])
            let image = try #require(container["image"] as? String)
            #expect(image == (configMap[path: "data", "NETCLODE_AGENT_IMAGE"] as? String), "sandbox Pods run the control plane's image")
            #expect((container["ports"] as? [[String: Any]])?.first?["containerPort"] as? Int == 8080)
            #expect(container[path: "livenessProbe", "httpGet", "path"] as? String == "/healthz")
            #expect(container[path: "readinessProbe", "httpGet", "path"] as? String == "/readyz")
            #expect(container[path: "startupProbe", "httpGet", "path"] as? String == "/healthz")
            #expect(pod[path: "securityContext", "runAsNonRoot"] as? Bool == true)
            #expect(pod[path: "securityContext", "runAsUser"] as? Int == 1000 && pod[path: "securityContext", "runAsGroup"] as? Int == 1000)
            #expect(pod[path: "securityContext", "seccompProfile", "type"] as? String == "RuntimeDefault")
            #expect(container[path: "securityContext", "readOnlyRootFilesystem"] as? Bool == true)
            #expect(container[path: "securityContext", "allowPrivilegeEscalation"] as? Bool == false)
            #expect(container[path: "securityContext", "capabilities", "drop"] as? [String] == ["ALL"])
            #expect(pod["serviceAccountName"] as? String == "control-plane")
            #expect(deployment[path: "spec", "strategy", "type"] as? String == "Recreate")

            // The Service reaches the container's port; the agents' callback URL names it.
            let service = try named("Service", "control-plane")
            let port = try #require((service[path: "spec", "ports"] as? [[String: Any]])?.first)
            #expect(port["port"] as? Int == 8080 && port["targetPort"] as? String == "http")
            #expect(service[path: "spec", "selector"] as? [String: String] == deployment[path: "spec", "template", "metadata", "labels"] as? [String: String])

            // The Role: the runtime's calls and nothing more (/work/briefs/k8s-role-verbs.md).
            let rules = try #require(try named("Role", "control-plane")["rules"] as? [[String: Any]])
            let granted = Dictionary(rules.map { (($0["resources"] as? [String])?.joined(separator: ",") ?? "", Set($0["verbs"] as? [String] ?? [])) }) { first, _ in first }
            #expect(granted == [
                "pods": ["create", "get", "list", "watch", "delete"],
                "persistentvolumeclaims": ["create", "delete"],
                "secrets": ["create", "delete"],
            ])
            #expect(rules.allSatisfy { $0["apiGroups"] as? [String] == [""] })
            let binding = try named("RoleBinding", "control-plane")
            #expect((binding["subjects"] as? [[String: Any]])?.first?["name"] as? String == "control-plane")

            // Sandboxes: no ingress; egress to DNS, the control plane, and public addresses only.
            let sandbox = try named("NetworkPolicy", "sandbox")
            #expect(sandbox[path: "spec", "podSelector", "matchLabels"] as? [String: String]
                    == ["app.kubernetes.io/name": "netclode", "app.kubernetes.io/component": "sandbox"])
            #expect(Set(sandbox[path: "spec", "policyTypes"] as? [String] ?? []) == ["Ingress", "Egress"])
            #expect(sandbox[path: "spec", "ingress"] == nil, "no ingress rule: nothing reaches a sandbox")
            let egress = try #require(sandbox[path: "spec", "egress"] as? [[String: Any]])
            let toControlPlane = egress.flatMap { ($0["to"] as? [[String: Any]]) ?? [] }.compactMap { $0[path: "podSelector", "matchLabels"] as? [String: String] }
            #expect(toControlPlane.contains(service[path: "spec", "selector"] as? [String: String] ?? [:]))
            let blocks = egress.flatMap { ($0["to"] as? [[String: Any]]) ?? [] }.compactMap { $0["ipBlock"] as? [String: Any] }
            #expect(blocks.count == 1 && blocks.first?["cidr"] as? String == "0.0.0.0/0")
            let except = Set(blocks.first?["except"] as? [String] ?? [])
            #expect(except.isSuperset(of: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10", "127.0.0.0/8"]))
            let controlPlaneIngress = try named("NetworkPolicy", "control-plane-ingress")
            #expect(controlPlaneIngress[path: "spec", "podSelector", "matchLabels"] as? [String: String] == service[path: "spec", "selector"] as? [String: String])
        }
    }

    @Test("the Deployment's probes name paths netclode serve answers with 200")
    func probesAnswer() async throws {
        let paths = try await TemporaryDirectory.with(prefix: "netclode-kustomize") { directory in
            let objects = try await DeployFiles.objects(of: try await DeployFiles.render(in: directory), in: directory)
            let deployment = try #require(objects.first { $0["kind"] as? String == "Deployment" })
            let container = try #require((deployment[path: "spec", "template", "spec", "containers"] as? [[String: Any]])?.first)
            return ["livenessProbe", "readinessProbe", "startupProbe"].compactMap { container[path: $0, "httpGet", "path"] as? String }
        }
        #expect(paths.count == 3)
        let server = try await ControlPlaneProcess.start(environment: [:])
        do {
            for path in Set(paths) {
                var status = 0
                // /readyz turns 200 once the stored sessions are loaded, which is at once here.
                for _ in 0..<60 {
                    let (_, response) = try await URLSession.shared.data(from: server.baseURL.appendingPathComponent(path))
                    status = (response as? HTTPURLResponse)?.statusCode ?? 0
                    if status == 200 { break }
                    try await Task.sleep(for: .milliseconds(500))
                }
                #expect(status == 200, "GET \(path)")
            }
        } catch {
            await server.remove()
            throw error
        }
        await server.remove()
    }
}
