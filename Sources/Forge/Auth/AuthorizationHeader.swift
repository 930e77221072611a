import Foundation

/// The credentials of an `Authorization` header, scheme compared case-insensitively the way
/// GitHub does (`Bearer`, `bearer`, `token`, `Basic`).
enum AuthorizationCredentials: Equatable {
    /// `Bearer X` or `token X`: a JWT or an installation token.
    case bearer(String)
    /// `Basic base64(user:password)`, as git sends it.
    case basic(username: String, password: String)

    init?(header: String?) {
        guard let header = header?.trimmingCharacters(in: .whitespaces), !header.isEmpty else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2 else { return nil }
        let scheme = parts[0].lowercased()
        let value = parts[1].trimmingCharacters(in: .whitespaces)
        switch scheme {
        case "bearer", "token":
            self = .bearer(value)
        case "basic":
            guard let data = Data(base64Encoded: value), let decoded = String(data: data, encoding: .utf8),
                  let colon = decoded.firstIndex(of: ":") else { return nil }
            self = .basic(username: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]))
        default:
            return nil
        }
    }

    /// The token a git client presents: the Basic password, or the bearer value.
    var gitToken: String {
        switch self {
        case .bearer(let token): return token
        case .basic(_, let password): return password
        }
    }
}
