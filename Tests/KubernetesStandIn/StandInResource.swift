/// The namespaced core resources the stand-in serves: the ones the Kubernetes runtime uses.
public enum StandInResource: String, Sendable, CaseIterable {
    case pods
    case secrets
    case persistentvolumeclaims

    var kind: String {
        switch self {
        case .pods: "Pod"
        case .secrets: "Secret"
        case .persistentvolumeclaims: "PersistentVolumeClaim"
        }
    }

    var listKind: String { kind + "List" }
}
