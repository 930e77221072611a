/// A GitHub App installation: the App installed on one account, covering all or selected repos.
public struct Installation: Codable, Sendable, Hashable {
    public let id: Int
    public let account: Account?
    /// `all` or `selected`.
    public let repositorySelection: String?
    public let appID: Int?
    public let appSlug: String?
    public let htmlURL: String?
    public let permissions: [String: String]?

    enum CodingKeys: String, CodingKey {
        case id, account, permissions
        case repositorySelection = "repository_selection"
        case appID = "app_id"
        case appSlug = "app_slug"
        case htmlURL = "html_url"
    }

    public init(id: Int, account: Account?, repositorySelection: String?, appID: Int?, appSlug: String?, htmlURL: String?, permissions: [String: String]?) {
        self.id = id
        self.account = account
        self.repositorySelection = repositorySelection
        self.appID = appID
        self.appSlug = appSlug
        self.htmlURL = htmlURL
        self.permissions = permissions
    }
}
