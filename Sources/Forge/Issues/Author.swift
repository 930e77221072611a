import Foundation

/// Who did something on the forge: a user (through a user token) or the App's bot user
/// `<slug>[bot]` (through an installation token). GitHub shows the two differently — `type` `User`
/// or `Bot`, and `performed_via_github_app` set only for the App — and a bot must tell them apart
/// to ignore its own comments.
enum Author: Codable, Sendable, Equatable {
    case user(login: String)
    case app

    var isApp: Bool { self == .app }

    /// The login GitHub shows for this author.
    func login(app: AppRecord) -> String {
        switch self {
        case .user(let login): return login
        case .app: return app.botLogin
        }
    }
}
