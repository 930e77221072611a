/// The origin a client used to reach the forge (`http://HOST:PORT` from the `Host` header).
///
/// The forge serves the REST API and the web/git URLs from one origin, so the API base URL and the
/// web URL are the same; every URL in a body is built from it, because clients refuse to follow
/// links (pagination, `access_tokens_url`, `clone_url`) that point somewhere else.
struct ForgeURLs: Sendable {
    let origin: String

    var api: String { origin }
    var web: String { origin }
}
