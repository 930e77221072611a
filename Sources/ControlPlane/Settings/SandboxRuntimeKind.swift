import Foundation

/// Where sessions' sandboxes run (`NETCLODE_RUNTIME`).
public enum SandboxRuntimeKind: String, Sendable, CaseIterable {
    /// A bubblewrap process per session on the control plane's machine (the default).
    case local
    /// A Pod per session in a Kubernetes cluster (the `KubernetesRuntime` module).
    case kubernetes

    /// Parses `NETCLODE_RUNTIME`: `local` when unset or blank; case and surrounding spaces are
    /// ignored; anything else is an error naming the value and the choices.
    init(setting: String?) throws(ControlPlaneError) {
        let normalized = (setting ?? "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard !normalized.isEmpty else {
            self = .local
            return
        }
        guard let kind = SandboxRuntimeKind(rawValue: normalized) else {
            let choices = SandboxRuntimeKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalidArgument("NETCLODE_RUNTIME=\"\(setting ?? "")\" is not a sandbox runtime; choose one of: \(choices)")
        }
        self = kind
    }
}
