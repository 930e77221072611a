import ArgumentParser
import ControlPlane
import Foundation
import GitHubApp
import Logging

/// `netclode doctor`: the seed's `printenv | grep GITHUB_APP` made useful. Checks the setup
/// `netclode serve` would run with and prints ✓ or ✗ with the fix for each; exits 0 only when
/// every check passed.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the setup netclode serve would run with: GitHub App, installations, sandbox runtime, database.",
        discussion: """
            Reads the same settings as `netclode serve` (flags, then the environment, then .env in the working
            directory) and checks, printing ✓ or ✗ with the fix for each:
              - netclode serve's own settings (API token, listen address, data directory, NETCLODE_RUNTIME);
              - the GitHub App settings are present and the private key loads;
              - GitHub accepts a JWT signed with it (GET /app);
              - each installation answers a token request (a metadata-only token, revoked at once) and grants
                contents: write and metadata: read (and, with the bot on, issues: write and pull_requests: write);
              - the sandbox runtime works (local: a test sandbox under bubblewrap; kubernetes: the API answers and
                the control plane may manage sandbox Pods, their Secrets and workspace claims);
              - the database answers and its schema is one this build can use.
            It also says whether the GitHub bot is on. Exit status 0 only when every check passed.
            No token or key is ever printed. Run it as the user netclode serve runs as.

            Example: netclode doctor
            Example (Kubernetes): kubectl -n netclode exec deploy/control-plane -- netclode doctor
            """
    )

    @OptionGroup var dataOptions: ServerDataOptions

    func run() async throws {
        let directory = FileManager.default.currentDirectoryPath
        let dotEnv = URL(fileURLWithPath: directory).appendingPathComponent(".env").path
        let environment = EnvironmentSettings.load()
        // The checks report every failure themselves; the clients' own warnings would repeat them.
        let logger = CommandLogging.logger(label: "netclode.doctor", level: .critical)
        let doctor = Doctor.standard(
            environment: environment, overrides: dataOptions.overrides(),
            kubernetesCheck: KubernetesDoctorCheck(environment: environment, logger: logger), logger: logger)
        let source = FileManager.default.fileExists(atPath: dotEnv) ? "the environment, then \(dotEnv)" : "the environment (no \(dotEnv))"
        Self.write("netclode doctor: settings from \(source)")
        let summary = await doctor.run { Self.write($0.rendered) }
        Self.write(summary.line)
        if summary.failed > 0 { throw ExitCode(1) }
    }

    private static func write(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
