import Foundation

/// Who an API request acts as: an installation (token minted for the App) or a user (a `ghu_`
/// token `forge init` wrote for them).
enum Caller: Sendable {
    case installation(IssuedToken)
    case user(login: String)

    /// Who GitHub records as the author of what this caller creates.
    var author: Author {
        switch self {
        case .installation: return .app
        case .user(let login): return .user(login: login)
        }
    }

    /// A short description for logs (never the token).
    var logDescription: String {
        switch self {
        case .installation(let token): return "installation \(token.installationID) token \(token.fingerprint)"
        case .user(let login): return "user \(login)"
        }
    }
}
