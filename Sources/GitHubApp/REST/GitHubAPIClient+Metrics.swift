/// Error counting for the public API calls.
extension GitHubAPIClient {
    /// Runs one API call and counts the error it ends with by kind, so a dashboard shows GitHub
    /// refusing (`permissionDenied`, `unauthenticated`) apart from GitHub failing (`unavailable`,
    /// `rateLimited`). Wrapping the public calls, not `send`, also counts errors read from an
    /// answer (a 404 or 422), which `send` hands back as a normal response.
    func counted<T>(_ call: () async throws(GitHubError) -> T) async throws(GitHubError) -> T {
        do {
            return try await call()
        } catch {
            options.metrics.apiError(error)
            throw error
        }
    }
}
