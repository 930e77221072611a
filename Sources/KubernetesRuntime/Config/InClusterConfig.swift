import Foundation

/// The configuration every Pod gets: the API server's Service in `KUBERNETES_SERVICE_HOST` and
/// `KUBERNETES_SERVICE_PORT`, and the service account's token, CA and namespace under
/// `/var/run/secrets/kubernetes.io/serviceaccount` (the same paths client-go and the Python
/// client read).
enum InClusterConfig {
    static let defaultDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// nil when not running in a Pod (no `KUBERNETES_SERVICE_HOST`).
    static func load(environment: [String: String], directory: String = defaultDirectory) throws(KubernetesConfigError) -> ClusterConnection? {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else { return nil }
        let port = environment["KUBERNETES_SERVICE_PORT"].flatMap { $0.isEmpty ? nil : $0 } ?? "443"
        // An IPv6 address goes in brackets.
        let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        guard let server = URL(string: "https://\(shownHost):\(port)") else {
            throw KubernetesConfigError("KUBERNETES_SERVICE_HOST=\(host) and KUBERNETES_SERVICE_PORT=\(port) do not make a URL")
        }
        let tokenFile = directory + "/token"
        guard FileManager.default.isReadableFile(atPath: tokenFile) else {
            throw KubernetesConfigError("running in a Pod (KUBERNETES_SERVICE_HOST is set) but \(tokenFile) cannot be read: "
                + "the control plane's Pod needs its service account token (automountServiceAccountToken must not be false for it)")
        }
        guard let ca = FileManager.default.contents(atPath: directory + "/ca.crt") else {
            throw KubernetesConfigError("running in a Pod but \(directory)/ca.crt cannot be read")
        }
        let namespace = (try? String(contentsOfFile: directory + "/namespace", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        return ClusterConnection(server: server, certificateAuthority: Array(ca), insecureSkipTLSVerify: false,
                                 credentials: .tokenFile(tokenFile), namespace: namespace?.isEmpty == false ? namespace : nil,
                                 source: "in-cluster service account (\(directory))")
    }
}
