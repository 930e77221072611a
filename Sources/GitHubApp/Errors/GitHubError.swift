import Foundation

/// Everything that can go wrong between Netclode and GitHub, each case carrying the words the user
/// sees (DESIGN.md §1, "Troubleshooting errors").
///
/// The control plane maps ``kind`` onto its API error codes; ``message`` is shown verbatim, so it
/// names the repository involved and says how to fix the problem. No case ever carries a token or
/// key material.
public enum GitHubError: Error, Sendable, Equatable, CustomStringConvertible {
    /// App settings are missing: names exactly which variables.
    case notConfigured(missing: [String])
    /// A setting is present but unusable (e.g. `GITHUB_API_URL` is not a URL).
    case invalidSetting(name: String, reason: String)
    /// The App private key could not be loaded.
    case invalidPrivateKey(PrivateKeyProblem)
    /// The repository does not exist, or the App is not installed on its owner.
    case repositoryNotFound(RepositoryReference)
    /// The owner has an installation, but it does not cover these repositories.
    case notAccessibleByIntegration([RepositoryReference], installationURL: String)
    /// The installation does not grant the permission asked for (e.g. Contents: write).
    case permissionNotGranted(owner: String, access: RepoAccess)
    /// GitHub rejected the App's credentials (wrong App ID, wrong key, clock skew) or a token.
    case badCredentials(String)
    /// A rate limit that does not reset within the retry budget.
    case rateLimited(resetAt: Date?, message: String)
    /// GitHub kept failing (5xx, timeouts, connection errors) until the retry budget ran out.
    case unavailable(String)
    /// Any other answer from GitHub that Netclode does not expect.
    case unexpectedResponse(status: Int, message: String)

    /// Why a private key was refused.
    public enum PrivateKeyProblem: Sendable, Equatable {
        case notBase64
        case notPEM
        case notRSA
        case tooShort(bits: Int)
        case unreadable(path: String, reason: String)
    }

    /// A coarse category that API layers map onto their own error codes.
    public enum Kind: String, Sendable {
        case notConfigured, invalidConfiguration, notFound, permissionDenied
        case unauthenticated, rateLimited, unavailable, unexpected
    }

    public var kind: Kind {
        switch self {
        case .notConfigured: .notConfigured
        case .invalidSetting, .invalidPrivateKey: .invalidConfiguration
        case .repositoryNotFound: .notFound
        case .notAccessibleByIntegration, .permissionNotGranted: .permissionDenied
        case .badCredentials: .unauthenticated
        case .rateLimited: .rateLimited
        case .unavailable: .unavailable
        case .unexpectedResponse: .unexpected
        }
    }

    /// True for failures worth trying again later (the retry budget ran out, not the request was wrong).
    public var isTransient: Bool {
        switch kind {
        case .rateLimited, .unavailable: true
        default: false
        }
    }

    public var message: String {
        switch self {
        case .notConfigured(let missing):
            return "GitHub App not configured: missing \(missing.joined(separator: ", "))"
        case .invalidSetting(let name, let reason):
            return "GitHub App misconfigured: \(name) \(reason)"
        case .invalidPrivateKey(let problem):
            return "GitHub App private key unusable: \(problem.explanation)"
        case .repositoryNotFound(let repo):
            return "Repository not found: \(repo.fullName) (is the GitHub App installed on \(repo.owner)?)"
        case .notAccessibleByIntegration(let repos, let installationURL):
            let names = repos.map(\.fullName).joined(separator: ", ")
            return "Resource not accessible by integration: \(names) — add it to the App installation at \(installationURL)"
        case .permissionNotGranted(let owner, let access):
            return "Permission not granted: the GitHub App installation on \(owner) does not grant Contents: \(access) "
                + "— grant \"Contents: Read and write\" in the App's permissions and accept it on the installation"
        case .badCredentials(let detail):
            return "GitHub rejected the App credentials: \(detail) — check that GITHUB_APP_ID and the private key belong to the same App"
        case .rateLimited(let resetAt, let message):
            let when = resetAt.map { " until \(ISO8601DateFormatter().string(from: $0))" } ?? ""
            return "GitHub rate limit exceeded\(when): \(message)"
        case .unavailable(let detail):
            return "GitHub unavailable: \(detail)"
        case .unexpectedResponse(let status, let message):
            return "Unexpected answer from GitHub (HTTP \(status)): \(message)"
        }
    }

    public var description: String { message }
}

extension GitHubError.PrivateKeyProblem {
    var explanation: String {
        switch self {
        case .notBase64:
            "GITHUB_APP_PRIVATE_KEY_B64 is not valid base64 (encode the whole .pem file, e.g. `base64 -w0 key.pem`)"
        case .notPEM:
            "the key is not a PEM document (expected \(PEMHeader.pkcs1PrivateKey) or \(PEMHeader.pkcs8PrivateKey))"
        case .notRSA:
            "the PEM is not an RSA private key (GitHub App keys are RSA; PKCS#1 or PKCS#8)"
        case .tooShort(let bits):
            "the RSA key has \(bits) bits; at least 2048 are required"
        case .unreadable(let path, let reason):
            "cannot read GITHUB_APP_PRIVATE_KEY_PATH \(path): \(reason)"
        }
    }
}
