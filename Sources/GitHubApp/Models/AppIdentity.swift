/// The App itself, from `GET /app` (the fields Netclode reads).
public struct AppIdentity: Codable, Sendable, Hashable {
    public let id: Int
    /// The App's URL name: its bot account is `<slug>[bot]`.
    public let slug: String
    public let name: String
}
