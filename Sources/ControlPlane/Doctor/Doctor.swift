import Foundation
import GitHubApp
import Logging
import Sandbox

/// `netclode doctor`: runs the checks of a setup in order and says what passed, what failed and
/// how to fix it. Reads the same settings as `netclode serve` (environment over `.env`, the same
/// flags), so what it checks is what the server will use.
public struct Doctor: Sendable {
    public let checks: [any DoctorCheck]

    public init(checks: [any DoctorCheck]) {
        self.checks = checks
    }

    /// Counts of what the checks found.
    public struct Summary: Sendable, Equatable {
        public var passed = 0
        public var failed = 0

        /// `All 6 checks passed.` or `2 of 6 checks failed.`
        public var line: String {
            let total = passed + failed
            return failed == 0 ? "All \(total) checks passed." : "\(failed) of \(total) checks failed."
        }
    }

    /// Runs every check in order, handing each finding to `report` as soon as its check is done.
    public func run(report: (DoctorFinding) -> Void) async -> Summary {
        var summary = Summary()
        for check in checks {
            for finding in await check.run() {
                switch finding.outcome {
                case .passed: summary.passed += 1
                case .failed: summary.failed += 1
                case .info: break
                }
                report(finding)
            }
        }
        return summary
    }

    /// The checks `netclode doctor` runs: `netclode serve`'s settings, the GitHub App (settings,
    /// JWT, installations and their permissions), the sandbox runtime, the database, and whether
    /// the bot is on.
    ///
    /// - Parameter kubernetesCheck: the Kubernetes runtime's own check, used when
    ///   `NETCLODE_RUNTIME=kubernetes` (this module knows nothing of Kubernetes).
    public static func standard(
        environment: EnvironmentSettings, overrides: ControlPlaneSettings.Overrides,
        kubernetesCheck: any DoctorCheck, logger: Logger
    ) -> Doctor {
        let settings = Result { () throws(ControlPlaneError) in try ControlPlaneSettings(settings: environment, overrides: overrides) }
        let runtime = Result { () throws(ControlPlaneError) in try SandboxRuntimeKind(setting: environment["NETCLODE_RUNTIME"]) }
        let botEnabled = environment[BotStatusCheck.secretVariable] != nil
        var checks: [any DoctorCheck] = [
            ServeSettingsCheck(settings: settings, runtime: runtime),
            GitHubAppCheck(environment: environment, botEnabled: botEnabled, logger: logger),
        ]
        switch (settings, runtime) {
        case (_, .failure):
            checks.append(FixedCheck(.notChecked("sandbox runtime", because: "NETCLODE_RUNTIME is not valid")))
        case (_, .success(.kubernetes)):
            checks.append(kubernetesCheck)
        case (.success(let settings), .success(.local)):
            checks.append(LocalRuntimeCheck(isolation: settings.sandbox))
        case (.failure, .success(.local)):
            checks.append(FixedCheck(.notChecked("sandbox runtime local", because: "netclode serve's settings are not valid")))
        }
        switch settings {
        case .success(let settings): checks.append(DatabaseCheck(settings: settings, logger: logger))
        case .failure: checks.append(FixedCheck(.notChecked("database", because: "netclode serve's settings are not valid")))
        }
        checks.append(BotStatusCheck(enabled: botEnabled))
        return Doctor(checks: checks)
    }
}

/// A check whose answer is known before it runs (a dependency failed).
struct FixedCheck: DoctorCheck {
    let findings: [DoctorFinding]

    init(_ findings: DoctorFinding...) {
        self.findings = findings
    }

    func run() async -> [DoctorFinding] { findings }
}
