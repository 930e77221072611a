import Foundation
import Logging

/// What `netclode doctor` prints for the `kubernetes` runtime: ✓ or ✗, a sentence, and on ✗ what
/// to do about it.
public struct KubernetesRuntimeCheck: Sendable, Equatable {
    public let ok: Bool
    public let message: String
    /// What to do when it failed; nil when it passed.
    public let fix: String?

    public init(ok: Bool, message: String, fix: String?) {
        self.ok = ok
        self.message = message
        self.fix = fix
    }

    /// Every call the runtime makes, as (verb, resource): what the control plane's Role must
    /// allow (deploy/kubernetes writes it from the same list).
    public static let requiredAccess: [(verb: String, resource: String)] = [
        ("create", "pods"), ("get", "pods"), ("list", "pods"), ("watch", "pods"), ("delete", "pods"),
        ("create", "persistentvolumeclaims"), ("delete", "persistentvolumeclaims"),
        ("create", "secrets"), ("delete", "secrets"),
    ]

    /// Whether the API answers (`GET /version`) and the control plane's identity may do all of
    /// ``requiredAccess`` in the runtime's namespace, asked of the API itself with one
    /// `SelfSubjectAccessReview` each (allowed to every authenticated user by default).
    public static func run(settings: KubernetesRuntimeSettings, logger: Logger) async -> KubernetesRuntimeCheck {
        let client: KubernetesClient
        do {
            client = try KubernetesClient(connection: settings.connection, logger: logger)
        } catch {
            return KubernetesRuntimeCheck(ok: false, message: "the Kubernetes configuration cannot be used: \(error)",
                                          fix: "check the kubeconfig's certificates (or the service account's ca.crt)")
        }
        defer { Task { await client.shutdown() } }
        let server = settings.connection.server.absoluteString
        let version: String
        do {
            let data = try await client.get(path: "/version")
            version = (try? JSONValue.decode(data))?["gitVersion"]?.stringValue ?? "unknown version"
        } catch let error as KubernetesAPIError where error.isDenied {
            return KubernetesRuntimeCheck(ok: false, message: "the Kubernetes API at \(server) refuses the credentials of \(settings.connection.source): \(error)",
                                          fix: "use the control plane's service account token (in a Pod) or a kubeconfig user the cluster accepts")
        } catch {
            return KubernetesRuntimeCheck(ok: false, message: "the Kubernetes API at \(server) does not answer: \(error)",
                                          fix: "check that the API server is reachable from here (KUBERNETES_SERVICE_HOST in a Pod, the kubeconfig's server outside)")
        }
        var denied: [String] = []
        for (verb, resource) in requiredAccess {
            let review: JSONValue = [
                "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                "spec": ["resourceAttributes": ["namespace": .string(settings.namespace), "verb": .string(verb), "resource": .string(resource)]],
            ]
            do {
                let answer = try JSONValue.decode(try await client.post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", body: review))
                if answer["status"]?["allowed"] != .bool(true) { denied.append("\(verb) \(resource)") }
            } catch {
                return KubernetesRuntimeCheck(ok: false, message: "the Kubernetes API at \(server) (\(version)) cannot review access: \(error)",
                                              fix: "the control plane's identity needs to create selfsubjectaccessreviews (every authenticated user may, through the system:basic-user ClusterRole)")
            }
        }
        guard denied.isEmpty else {
            return KubernetesRuntimeCheck(ok: false, message: "the Kubernetes API at \(server) (\(version)) answers, but the control plane may not \(denied.joined(separator: ", ")) in namespace \(settings.namespace)",
                                          fix: "apply deploy/kubernetes (its Role and RoleBinding), or grant the control plane's service account: "
                                              + requiredAccess.map { "\($0.verb) \($0.resource)" }.joined(separator: ", ") + " in namespace \(settings.namespace)")
        }
        return KubernetesRuntimeCheck(ok: true, message: "the Kubernetes API at \(server) (\(version)) answers, and the control plane may create, watch and delete sandbox Pods, their Secrets and workspace claims in namespace \(settings.namespace)",
                                      fix: nil)
    }
}
