/// What a Pod's status says became of the sandbox, from the API's own state: the phase, the
/// Pod's reason, its scheduling condition, and its containers' states.
enum PodOutcome: Sendable, Equatable {
    /// Being scheduled, pulling, starting, or running.
    case live
    /// Ended or cannot run, with Kubernetes' reason (`OOMKilled`, `ImagePullBackOff`,
    /// `Unschedulable`, `Evicted`, ...) and a sentence for the session's error.
    case failed(reason: String, message: String)
    /// The agent's container exited on its own with `code`.
    case exited(code: Int32)

    /// Waiting reasons that will not resolve by waiting: the image or the container's
    /// configuration is wrong. (`ErrImagePull` comes first, `ImagePullBackOff` after retries.)
    static let hopelessWaits: Set<String> = [
        "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull",
        "CreateContainerConfigError", "CreateContainerError", "RunContainerError",
    ]

    init(_ pod: PodObject) {
        let name = pod.metadata.name ?? "?"
        let status = pod.status
        let containers = (status?.initContainerStatuses ?? []) + (status?.containerStatuses ?? [])
        let agent = status?.containerStatuses?.first { $0.name == SandboxObjects.agentContainer } ?? status?.containerStatuses?.first

        // A node that ends a Pod (eviction for disk or memory pressure, shutdown) says so here.
        if status?.phase == "Failed", let reason = status?.reason, !reason.isEmpty {
            self = .failed(reason: reason, message: "Kubernetes ended Pod \(name): \(reason)\(Self.detail(status?.message))")
            return
        }
        if let terminated = agent?.state?.terminated {
            if terminated.reason == "OOMKilled" {
                self = .failed(reason: "OOMKilled", message: "Kubernetes killed the agent's container of Pod \(name) for exceeding its memory limit "
                    + "(OOMKilled, exit code \(terminated.exitCode)); raise NETCLODE_K8S_MEMORY_LIMIT or use less memory")
                return
            }
            if status?.phase == "Failed" || status?.phase == "Succeeded" {
                self = .exited(code: terminated.exitCode)
                return
            }
        }
        for container in status?.initContainerStatuses ?? [] {
            if let terminated = container.state?.terminated, terminated.exitCode != 0 {
                let reason = terminated.reason.map { "Init:\($0)" } ?? "Init:Error"
                self = .failed(reason: reason, message: "the init container \(container.name) of Pod \(name) exited with code \(terminated.exitCode)"
                    + "\(Self.detail(terminated.message)) (\(reason))")
                return
            }
        }
        for container in containers {
            if let waiting = container.state?.waiting, let reason = waiting.reason, Self.hopelessWaits.contains(reason) {
                self = .failed(reason: reason, message: "Kubernetes cannot start container \(container.name) of Pod \(name): \(reason)\(Self.detail(waiting.message))")
                return
            }
        }
        if let scheduled = status?.conditions?.first(where: { $0.type == "PodScheduled" }), scheduled.status == "False", scheduled.reason == "Unschedulable" {
            self = .failed(reason: "Unschedulable", message: "Kubernetes cannot schedule Pod \(name): Unschedulable\(Self.detail(scheduled.message))")
            return
        }
        switch status?.phase {
        case "Failed":
            self = .failed(reason: "Failed", message: "Pod \(name) failed\(Self.detail(status?.message))")
        case "Succeeded":
            self = .exited(code: 0)
        default:
            self = .live
        }
    }

    private static func detail(_ message: String?) -> String {
        guard let message, !message.isEmpty else { return "" }
        return " (\(message))"
    }
}
