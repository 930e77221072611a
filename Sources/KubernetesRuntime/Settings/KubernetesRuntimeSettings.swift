import Foundation

/// The `kubernetes` runtime's settings, from the environment (`netclode serve` passes its
/// settings, `.env` included). Every value is checked here, so a mistake stops the control plane
/// at start naming the variable, rather than failing each session's Pod later.
public struct KubernetesRuntimeSettings: Sendable, Equatable {
    /// CPU, memory and ephemeral storage of the agent's container.
    public struct Resources: Sendable, Equatable {
        public var cpuRequest = "250m"
        public var cpuLimit = "2"
        public var memoryRequest = "512Mi"
        public var memoryLimit = "4Gi"
        public var ephemeralStorageRequest = "1Gi"
        public var ephemeralStorageLimit = "10Gi"
        public init() {}
    }

    /// The uid and gid the sandbox runs as (and its volumes' group): fixed, non-root, the image's
    /// `netclode` user.
    public static let sandboxUser = 1000

    /// `NETCLODE_K8S_NAMESPACE`; default the service account's namespace in a Pod, else the
    /// kubeconfig context's, else `default`.
    public var namespace: String
    /// `NETCLODE_AGENT_IMAGE` (required): the image with `netclode` (and `cp`, git) on its PATH.
    public var image: String
    /// `NETCLODE_AGENT_IMAGE_PULL_POLICY`: `IfNotPresent` (default), `Always` or `Never`.
    public var imagePullPolicy: String
    /// `NETCLODE_K8S_RUNTIME_CLASS`: e.g. `gvisor` or `kata`; unset: the cluster's default.
    public var runtimeClassName: String?
    /// `NETCLODE_K8S_SERVICE_ACCOUNT`: the sandbox Pods' service account (its token is never
    /// mounted); unset: the namespace's `default`.
    public var serviceAccountName: String?
    /// `NETCLODE_K8S_CPU_REQUEST` / `_LIMIT`, `NETCLODE_K8S_MEMORY_REQUEST` / `_LIMIT`,
    /// `NETCLODE_K8S_EPHEMERAL_STORAGE_REQUEST` / `_LIMIT`.
    public var resources: Resources
    /// `NETCLODE_K8S_WORKSPACE_SIZE`: the workspace claim's size (default `10Gi`).
    public var workspaceSize: String
    /// `NETCLODE_K8S_STORAGE_CLASS`: the workspace claim's class; unset: the cluster's default.
    public var storageClassName: String?
    /// Where the API server is and how to authenticate: in-cluster, else `KUBECONFIG`.
    public var connection: ClusterConnection

    public init(namespace: String, image: String, imagePullPolicy: String = "IfNotPresent", runtimeClassName: String? = nil,
                serviceAccountName: String? = nil, resources: Resources = Resources(), workspaceSize: String = "10Gi",
                storageClassName: String? = nil, connection: ClusterConnection) {
        self.namespace = namespace
        self.image = image
        self.imagePullPolicy = imagePullPolicy
        self.runtimeClassName = runtimeClassName
        self.serviceAccountName = serviceAccountName
        self.resources = resources
        self.workspaceSize = workspaceSize
        self.storageClassName = storageClassName
        self.connection = connection
    }

    /// Reads the settings from `environment` (blank counts as unset).
    public init(environment: [String: String]) throws(KubernetesConfigError) {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
            return text
        }
        func name(_ variable: String, maximum: Int = 253) throws(KubernetesConfigError) -> String? {
            guard let text = value(variable) else { return nil }
            guard ObjectNames.isDNSSubdomain(text, maximum: maximum) else {
                throw KubernetesConfigError("\(variable)=\"\(text)\" is not a Kubernetes name (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most \(maximum) characters)")
            }
            return text
        }
        func quantity(_ variable: String, _ fallback: String) throws(KubernetesConfigError) -> String {
            guard let text = value(variable) else { return fallback }
            guard Quantity.isValid(text) else {
                throw KubernetesConfigError("\(variable)=\"\(text)\" is not a Kubernetes quantity (e.g. 500m, 2, 512Mi, 10Gi)")
            }
            return text
        }

        guard let image = value("NETCLODE_AGENT_IMAGE") else {
            throw KubernetesConfigError("NETCLODE_RUNTIME=kubernetes needs NETCLODE_AGENT_IMAGE, the image sandbox Pods run (it must have `netclode` and `cp` on its PATH), e.g. ghcr.io/you/netclode:1.0")
        }
        guard !image.contains(where: \.isWhitespace) else {
            throw KubernetesConfigError("NETCLODE_AGENT_IMAGE=\"\(image)\" contains white space")
        }
        let pullPolicy = value("NETCLODE_AGENT_IMAGE_PULL_POLICY") ?? "IfNotPresent"
        guard ["Always", "IfNotPresent", "Never"].contains(pullPolicy) else {
            throw KubernetesConfigError("NETCLODE_AGENT_IMAGE_PULL_POLICY=\"\(pullPolicy)\" must be Always, IfNotPresent or Never")
        }
        let connection: ClusterConnection
        if let inCluster = try InClusterConfig.load(environment: environment) {
            connection = inCluster
        } else if let fromFile = try KubeConfig.load(environment: environment) {
            connection = fromFile
        } else {
            throw KubernetesConfigError("NETCLODE_RUNTIME=kubernetes but there is no cluster to talk to: not running in a Pod (KUBERNETES_SERVICE_HOST is unset) "
                + "and no kubeconfig (set KUBECONFIG, or create ~/.kube/config)")
        }
        var resources = Resources()
        resources.cpuRequest = try quantity("NETCLODE_K8S_CPU_REQUEST", resources.cpuRequest)
        resources.cpuLimit = try quantity("NETCLODE_K8S_CPU_LIMIT", resources.cpuLimit)
        resources.memoryRequest = try quantity("NETCLODE_K8S_MEMORY_REQUEST", resources.memoryRequest)
        resources.memoryLimit = try quantity("NETCLODE_K8S_MEMORY_LIMIT", resources.memoryLimit)
        resources.ephemeralStorageRequest = try quantity("NETCLODE_K8S_EPHEMERAL_STORAGE_REQUEST", resources.ephemeralStorageRequest)
        resources.ephemeralStorageLimit = try quantity("NETCLODE_K8S_EPHEMERAL_STORAGE_LIMIT", resources.ephemeralStorageLimit)
        self.init(
            namespace: try name("NETCLODE_K8S_NAMESPACE", maximum: 63) ?? connection.namespace ?? "default",
            image: image, imagePullPolicy: pullPolicy,
            runtimeClassName: try name("NETCLODE_K8S_RUNTIME_CLASS"),
            serviceAccountName: try name("NETCLODE_K8S_SERVICE_ACCOUNT"),
            resources: resources,
            workspaceSize: try quantity("NETCLODE_K8S_WORKSPACE_SIZE", "10Gi"),
            storageClassName: try name("NETCLODE_K8S_STORAGE_CLASS"),
            connection: connection)
    }
}
