/// GitHub's error body: `{"message": "...", "documentation_url": "...", "status": "404"}`.
struct GitHubErrorBody: Decodable, Sendable {
    let message: String
    let documentationURL: String?

    enum CodingKeys: String, CodingKey {
        case message
        case documentationURL = "documentation_url"
    }
}
