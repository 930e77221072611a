import Foundation

/// How the local runtime isolates sandbox processes (`NETCLODE_SANDBOX`).
public enum IsolationMode: String, Sendable, CaseIterable {
    /// Always bubblewrap; starting a sandbox fails when `bwrap` is not installed.
    case bwrap
    /// No isolation: the process sees the whole machine (development only). The only way to run
    /// a sandbox unisolated: the operator has to ask for it by name.
    case none
    /// The default: bubblewrap, found on `PATH`. Like ``bwrap`` it fails closed: without `bwrap`
    /// no sandbox starts (the error says how to install it, or to choose ``none`` on purpose).
    /// It used to fall back to running unisolated, which silently handed every sandbox the App
    /// private key and the database on a machine that merely lacked a package.
    case auto

    /// Parses `NETCLODE_SANDBOX`. Unset or empty means ``auto``; case and surrounding spaces
    /// are ignored; anything else is an error naming the value and the choices.
    public init(setting: String?) throws {
        let normalized = (setting ?? "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if normalized.isEmpty {
            self = .auto
            return
        }
        guard let mode = IsolationMode(rawValue: normalized) else {
            let choices = IsolationMode.allCases.map(\.rawValue).joined(separator: ", ")
            throw SandboxError(.invalidIsolationMode,
                               "NETCLODE_SANDBOX=\"\(setting ?? "")\" is not a sandbox isolation mode; choose one of: \(choices)")
        }
        self = mode
    }
}
