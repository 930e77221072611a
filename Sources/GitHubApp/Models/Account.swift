/// The user or organisation an installation or repository belongs to (a subset of GitHub's
/// "simple user" schema: the fields Netclode reads).
public struct Account: Codable, Sendable, Hashable {
    public let login: String
    public let id: Int
    /// `User` or `Organization`.
    public let type: String?

    public init(login: String, id: Int, type: String?) {
        self.login = login
        self.id = id
        self.type = type
    }
}
