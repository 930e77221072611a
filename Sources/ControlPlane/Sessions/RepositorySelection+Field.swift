import Foundation
import GitHubApp

extension RepositorySelection {
    /// `entries` parsed as every API field that takes repositories parses them (`repos` of
    /// CreateSession, `add` and `remove` of UpdateRepos); an error names `field`.
    static func parse(_ entries: [String], field: String, webURL: URL) throws(ControlPlaneError) -> [RepositoryReference] {
        do {
            return try parse(entries, webURL: webURL)
        } catch {
            throw .invalidArgument("\(field): \(error.message)")
        }
    }
}
