import Foundation
import TestSupport

/// A forge with `demo/hello` and `demo/widgets` (and the uninstalled `outsider/secret`), a real
/// `netclode serve` pointed at it, and a CLI runner with the server's URL and token. Without
/// `withForge`, a control plane without GitHub (sessions without repositories).
struct CLIFixture {
    let forge: ForgeProcess?
    let controlPlane: ControlPlaneProcess
    let cli: CLIRunner
    let workingDirectory: TemporaryDirectory

    /// Runs `body` with a started fixture and stops every process afterwards, whatever happens.
    static func with<T>(withForge: Bool = true, environment extra: [String: String] = [:], _ body: (CLIFixture) async throws -> T) async throws -> T {
        let forge = withForge ? try await ForgeProcess.start(repos: ["demo/hello", "demo/widgets"], uninstalledRepos: ["outsider/secret"]) : nil
        let controlPlane: ControlPlaneProcess
        do {
            var environment = forge.map(ControlPlaneProcess.githubEnvironment(for:)) ?? [:]
            environment.merge(extra) { _, new in new }
            controlPlane = try await ControlPlaneProcess.start(environment: environment)
        } catch {
            await forge?.stop()
            throw error
        }
        let directory: TemporaryDirectory
        do {
            directory = try TemporaryDirectory(prefix: "netclode-cli")
        } catch {
            await controlPlane.remove()
            await forge?.stop()
            throw error
        }
        let fixture = CLIFixture(
            forge: forge, controlPlane: controlPlane,
            cli: CLIRunner(server: controlPlane.baseURL.absoluteString, token: ControlPlaneProcess.apiToken, workingDirectory: directory.url),
            workingDirectory: directory
        )
        do {
            let value = try await body(fixture)
            await fixture.stop()
            return value
        } catch {
            await fixture.stop()
            throw error
        }
    }

    private func stop() async {
        await controlPlane.remove()
        await forge?.stop()
        workingDirectory.remove()
    }
}
