/// A repository as GitHub describes it (the fields Netclode reads).
public struct Repository: Codable, Sendable, Hashable {
    public let id: Int
    public let name: String
    public let fullName: String
    public let owner: Account
    public let isPrivate: Bool
    public let htmlURL: String
    public let cloneURL: String?
    public let defaultBranch: String?

    enum CodingKeys: String, CodingKey {
        case id, name, owner
        case fullName = "full_name"
        case isPrivate = "private"
        case htmlURL = "html_url"
        case cloneURL = "clone_url"
        case defaultBranch = "default_branch"
    }
}

/// One page of `GET /installation/repositories`.
struct InstallationRepositoriesPage: Decodable, Sendable {
    let totalCount: Int
    let repositories: [Repository]

    enum CodingKeys: String, CodingKey {
        case repositories
        case totalCount = "total_count"
    }
}
