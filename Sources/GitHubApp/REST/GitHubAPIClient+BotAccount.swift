import Foundation
import NIOHTTP1

/// Who the App is on GitHub: the App (`GET /app`) and its bot user (`GET /users/<slug>[bot]`).
extension GitHubAPIClient {
    /// `GET /app`, authenticated as the App.
    public func app() async throws(GitHubError) -> AppIdentity {
        try await counted { () async throws(GitHubError) in
            let response = try await send(.GET, "/app", credential: .app)
            guard response.status == 200 else { throw Self.unexpected(response) }
            return try response.decode(AppIdentity.self)
        }
    }

    /// `GET /users/{login}` (a public endpoint, asked without credentials); nil on 404.
    public func user(login: String) async throws(GitHubError) -> Account? {
        let escaped = login.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "[]/"))) ?? login
        return try await counted { () async throws(GitHubError) in
            let response = try await send(.GET, "/users/\(escaped)", credential: .anonymous)
            switch response.status {
            case 200: return try response.decode(Account.self)
            case 404: return nil
            default: throw Self.unexpected(response)
            }
        }
    }

    /// The author GitHub shows for the App's commits: `<slug>[bot]` with the noreply address
    /// `<bot user id>+<slug>[bot]@users.noreply.github.com`, which links the commits to the bot
    /// account on github.com.
    public func botAuthor() async throws(GitHubError) -> GitAuthor {
        let app = try await app()
        let login = "\(app.slug)[bot]"
        guard let bot = try await user(login: login) else {
            throw .unexpectedResponse(status: 404, message: "GitHub has no user \(login) for the App \(app.slug)")
        }
        return GitAuthor(name: login, email: "\(bot.id)+\(login)@users.noreply.github.com")
    }
}
