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

/// A commit author: `Name <email>`.
public struct GitAuthor: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let email: String

    public init(name: String, email: String) {
        self.name = name
        self.email = email
    }

    /// Parses `Name <email>`; nil when it is not of that form (or has characters git refuses).
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") else { return nil }
        let name = trimmed[..<open].trimmingCharacters(in: .whitespaces)
        let email = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        let forbidden = CharacterSet(charactersIn: "<>\n\r\0")
        guard !name.isEmpty, name.count <= 200, email.count <= 200, email.contains("@"),
              name.rangeOfCharacter(from: forbidden) == nil, email.rangeOfCharacter(from: forbidden.union(.whitespaces)) == nil
        else { return nil }
        self.name = name
        self.email = email
    }

    public var description: String { "\(name) <\(email)>" }
}
