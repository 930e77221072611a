import Foundation

/// How a session's git reaches GitHub.
public enum CredentialMode: String, Sendable, CaseIterable {
    /// No installation token ever enters the sandbox: git reaches GitHub through the control
    /// plane's git proxy (GitProxy/) with a credential that is good for this session only, and the
    /// proxy applies the session's access level and push policy. The default.
    case proxy
    /// The installation token is in the sandbox: `GITHUB_TOKEN` for the commands it runs, and git's
    /// credential helper hands it out (the seed's behaviour).
    case token

    /// Parses `NETCLODE_CREDENTIAL_MODE` or a request's `credentialMode`: empty means `fallback`.
    init(_ text: String?, source: String, fallback: CredentialMode) throws(ControlPlaneError) {
        let normalized = (text ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        if normalized.isEmpty {
            self = fallback
            return
        }
        guard let mode = CredentialMode(rawValue: normalized) else {
            throw .invalidArgument("\(source) must be \"proxy\" or \"token\", got \"\(text ?? "")\"")
        }
        self = mode
    }
}
