import Foundation
import GitHubApp
import Storage

/// The store keeps a session's repositories as `owner/repo`; the session manager works with clone
/// URLs under `GITHUB_WEB_URL` (what the agent clones, what the API shows). Storing the URL itself
/// pinned the address a session was made with: a changed `GITHUB_WEB_URL`, or `netclode dev`'s
/// forge on another port, left every stored session pointing at the old one. So records are
/// translated at the store's door, both ways, against the web URL of the moment.
///
/// A URL that is not under the web URL (it cannot be named `owner/repo` there) is stored as it
/// is, and a stored URL (from a record the migration could not name) is loaded as it is.
extension SessionRecord {
    /// The record as the store keeps it: repositories as `owner/repo`.
    func stored(webURL: URL) -> SessionRecord {
        mappingRepositories { url in
            guard url.contains("://"), let reference = try? RepositoryReference.parse(url, webURL: webURL) else { return url }
            return reference.fullName
        }
    }

    /// The record as the manager handles it: repositories as clone URLs under `webURL`.
    func loaded(webURL: URL) -> SessionRecord {
        mappingRepositories { name in
            guard !name.contains("://"), let reference = try? RepositoryReference.parse(name, webURL: webURL) else { return name }
            return reference.cloneURL(webURL: webURL).absoluteString
        }
    }

    private func mappingRepositories(_ transform: (String) -> String) -> SessionRecord {
        var copy = self
        copy.repos = repos.map(transform)
        copy.rootRepo = rootRepo.map(transform)
        copy.repoStatus = repoStatus.map { status in
            var mapped = status
            mapped.repo = transform(status.repo)
            return mapped
        }
        return copy
    }
}
