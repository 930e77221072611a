/// GitHub's `integration` object for `GET /app`.
enum AppSchema {
    /// The App's owner: a synthetic account, as every App belongs to someone.
    static let ownerLogin = "netclode-forge-owner"
    static let ownerID = 100_000
    /// The events the App subscribes to: what the forge delivers.
    static let events = ["issue_comment", "issues", "pull_request", "pull_request_review_comment"]

    static func json(_ metadata: ForgeMetadata, urls: ForgeURLs) -> JSONValue {
        let app = metadata.app
        return [
            "id": .int(app.id),
            "client_id": .string(app.clientID),
            "slug": .string(app.slug),
            "node_id": .string("A_forge\(app.id)"),
            "owner": AccountSchema.json(login: ownerLogin, id: ownerID, type: "User", urls: urls),
            "name": .string(app.name),
            "description": "Local GitHub stand-in for Netclode development and tests.",
            "external_url": .string(urls.web),
            "html_url": .string("\(urls.web)/apps/\(app.slug)"),
            "created_at": .string(app.createdAt),
            "updated_at": .string(app.createdAt),
            "permissions": .stringMap(ForgeInitializer.grantedPermissions),
            "events": .array(events.map(JSONValue.string)),
            "installations_count": .int(metadata.installations.count),
        ]
    }
}
