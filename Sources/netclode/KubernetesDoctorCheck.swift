import ControlPlane
import GitHubApp
import KubernetesRuntime
import Logging

/// `netclode doctor`'s check of the `kubernetes` runtime: its own settings (`NETCLODE_K8S_*`,
/// `NETCLODE_AGENT_IMAGE`, the cluster from the service account or `KUBECONFIG`) as
/// `netclode serve` reads them, then ``KubernetesRuntimeCheck``: the API answers and the control
/// plane's identity may do everything the runtime does.
///
/// It lives here, not in either module, because it joins the two: `KubernetesRuntime` knows
/// nothing of the doctor, and `ControlPlane` nothing of Kubernetes.
struct KubernetesDoctorCheck: DoctorCheck {
    static let subject = "sandbox runtime kubernetes"
    let environment: EnvironmentSettings
    let logger: Logger

    func run() async -> [DoctorFinding] {
        let settings: KubernetesRuntimeSettings
        do {
            settings = try KubernetesRuntimeSettings(environment: environment.all)
        } catch {
            return [.failed(Self.subject, "its settings cannot be used: \(error)",
                            fix: "set them in the environment or .env (docs/deploy.md lists NETCLODE_AGENT_IMAGE, NETCLODE_K8S_* and the cluster connection)")]
        }
        let check = await KubernetesRuntimeCheck.run(settings: settings, logger: logger)
        guard let fix = check.fix, !check.ok else { return [.passed(Self.subject, check.message)] }
        return [.failed(Self.subject, check.message, fix: fix)]
    }
}
