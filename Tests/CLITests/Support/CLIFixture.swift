import Foundation
import TestSupport

/// A forge with `demo/hello` and `demo/widgets` (and the uninstalled `outsider/secret`), a real
/// `netclode serve` pointed at it, and a CLI runner with the server's URL and token.
struct CLIFixture {
    let forge: ForgeProcess
    let controlPlane: ControlPlaneProcess
    let cli: CLIRunner
    let workingDirectory: TemporaryDirectory

    /// Runs `body` with a started fixture and stops every process afterwards, whatever happens.
    static func with<T>(_ body: (CLIFixture) async throws -> T) async throws -> T {
        let forge = try await ForgeProcess.start(repos: ["demo/hello", "demo/widgets"], uninstalledRepos: ["outsider/secret"])
        let controlPlane: ControlPlaneProcess
        do {
            controlPlane = try await ControlPlaneProcess.start(environment: ControlPlaneProcess.githubEnvironment(for: forge))
        } catch {
            await forge.stop()
            throw error
        }
        let directory: TemporaryDirectory
        do {
            directory = try TemporaryDirectory(prefix: "netclode-cli")
        } catch {
            await controlPlane.remove()
            await forge.stop()
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
        await forge.stop()
        workingDirectory.remove()
    }
}
