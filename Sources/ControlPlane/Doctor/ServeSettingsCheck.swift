import Foundation

/// Whether `netclode serve` would accept its settings (the API token, the listen address, the
/// data directory, the sandbox options, `NETCLODE_RUNTIME`), with serve's own error when not.
struct ServeSettingsCheck: DoctorCheck {
    let settings: Result<ControlPlaneSettings, ControlPlaneError>
    let runtime: Result<SandboxRuntimeKind, ControlPlaneError>

    func run() async -> [DoctorFinding] {
        switch (settings, runtime) {
        case (.success(let settings), .success(let runtime)):
            let database = settings.databaseURL.map { _ in "PostgreSQL (NETCLODE_DATABASE_URL)" } ?? "SQLite \(settings.databasePath)"
            return [.passed("netclode serve settings",
                            "listen \(settings.host):\(settings.port), data \(settings.dataDirectory.path), \(database), runtime \(runtime.rawValue), credential mode \(settings.credentialMode.rawValue)")]
        default:
            // The settings parse NETCLODE_RUNTIME too: a bad one is named once, not twice.
            let problems = [settings.failure, runtime.failure].compactMap { $0?.message }
            let named = problems.enumerated().filter { !problems[..<$0.offset].contains($0.element) }.map(\.element)
            return [.failed("netclode serve settings", named.joined(separator: "; "),
                            fix: "set it in the environment or .env (Kubernetes: deploy/kubernetes/.env, then kubectl apply -k deploy/kubernetes; systemd: /etc/netclode/netclode.env)")]
        }
    }
}

/// Whether the GitHub bot is on: information, not a verdict (sessions work without it).
struct BotStatusCheck: DoctorCheck {
    static let secretVariable = "GITHUB_WEBHOOK_SECRET"
    let enabled: Bool

    func run() async -> [DoctorFinding] {
        [.info("GitHub bot", enabled ? "on (\(Self.secretVariable) set)" : "off (\(Self.secretVariable) not set)")]
    }
}

private extension Result {
    /// The error, when this is a failure.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
