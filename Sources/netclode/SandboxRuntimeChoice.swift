import ControlPlane
import GitHubApp
import KubernetesRuntime
import Logging
import Sandbox

/// The runtime `netclode serve` hands the control plane, by `NETCLODE_RUNTIME`: bubblewrap
/// processes on this host (`local`), or a Pod per session (`kubernetes`, configured by its own
/// settings, see ``KubernetesRuntimeSettings``).
enum SandboxRuntimeChoice {
    static func make(settings: ControlPlaneSettings, environment: EnvironmentSettings, hiddenPaths: [String], logger: Logger) throws -> any SandboxRuntime {
        switch settings.runtime {
        case .local:
            return ControlPlaneServer.localRuntime(settings: settings, agentExecutable: CommandLogging.executablePath, hiddenPaths: hiddenPaths, logger: logger)
        case .kubernetes:
            do {
                let kubernetes = try KubernetesRuntimeSettings(environment: environment.all)
                return try KubernetesSandboxRuntime(settings: kubernetes, logger: logger)
            } catch {
                throw CommandFailure("\(error)")
            }
        }
    }
}
