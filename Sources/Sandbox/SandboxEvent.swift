/// What a runtime reports about its sandboxes on its own, as it happens (see
/// ``SandboxRuntime/events``).
public enum SandboxEvent: Sendable, Equatable {
    /// The sandbox's process ended without being asked to (not through `stop`): `code` is its
    /// exit status, 128 + signal number when killed by a signal.
    case exited(sessionID: String, code: Int32)
    /// The platform says the sandbox cannot run or was ended by it: an image that cannot be
    /// pulled, a Pod no node can take, an OOM kill, an eviction. `reason` is the platform's own
    /// word for it (Kubernetes' `OOMKilled`, `ImagePullBackOff`, `Unschedulable`, `Evicted`);
    /// `message` says it in a sentence, with the platform's details.
    case failed(sessionID: String, reason: String, message: String)
    /// A connection the sandbox's egress proxy refused (local runtime, isolated network).
    case egressRefused(EgressRefusal)

    public var sessionID: String {
        switch self {
        case .exited(let id, _), .failed(let id, _, _): id
        case .egressRefused(let refusal): refusal.sessionID
        }
    }
}
