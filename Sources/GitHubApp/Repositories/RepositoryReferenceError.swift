import Foundation

/// Why a repository entry typed by a user was rejected.
///
/// The entry is kept verbatim so the message can name it: a session request is rejected as a whole
/// (it never falls back to a broader token), so the user must be able to see which entry to fix.
public struct RepositoryReferenceError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// Nothing but white space.
        case empty
        /// A URL or `host/owner/repo` on a host other than the configured web URL's (the host as typed).
        case otherHost(String)
        /// `http://` while the configured web URL is `https://`.
        case insecureScheme
        /// Any other scheme (lower-cased), including `https` against an `http` forge; `git@host:owner/repo`
        /// and other scp-style entries are reported as `ssh`, which is how git reads them.
        case unsupportedScheme(String)
        /// Looks like an http(s) URL but lacks the `//`, e.g. `https:github.com/owner/repo`.
        case malformedURL
        /// A user name, password or token before the host.
        case credentialsInURL
        /// A `?query` or `#fragment`.
        case queryOrFragment
        /// More path than `owner/repo`, e.g. `.../tree/main`.
        case extraPathSegments
        /// An empty path segment between others, e.g. `owner//repo`.
        case emptySegment
        /// No owner, e.g. `/repo` or a bare host.
        case missingOwner
        /// No repository name, e.g. `owner/`, `owner` or `owner/.git`.
        case missingName
        /// A `.` or `..` path segment.
        case dotSegment
        /// The owner (as typed) breaks GitHub's rules for user and organisation names.
        case invalidOwner(String)
        /// The repository name (as typed, without `.git`) breaks GitHub's rules.
        case invalidName(String)
        /// More distinct repositories than a session may select.
        case tooMany(Int)
    }

    /// The offending input, verbatim (for `tooMany`, a summary such as "103 repositories").
    public let entry: String
    public let reason: Reason
    /// The configured web URL, so the message can show the accepted URL form.
    let webURL: URL

    public init(entry: String, reason: Reason, webURL: URL = RepositoryReference.defaultWebURL) {
        self.entry = entry
        self.reason = reason
        self.webURL = webURL
    }

    /// A user-facing sentence naming the entry, what is wrong with it and what is accepted.
    public var message: String {
        // Quoted and escaped, so an entry with a newline or quote cannot forge extra log lines.
        let quoted = String(reflecting: entry)
        var base = webURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        let scheme = webURL.scheme?.lowercased() ?? "https"
        let hint = "use owner/repo or \(base)/owner/repo"
        let problem: String
        switch reason {
        case .empty:
            problem = "the entry is empty; \(hint)"
        case .otherHost(let host):
            problem = "host \(String(reflecting: host)) is not the configured GitHub at \(base); \(hint)"
        case .insecureScheme:
            problem = "only https URLs are accepted; \(hint)"
        case .unsupportedScheme(let other):
            problem = "\(other) URLs are not accepted, only \(scheme) ones; \(hint)"
        case .malformedURL:
            problem = "not a valid URL; \(hint)"
        case .credentialsInURL:
            problem = "URLs must not contain credentials (user name, password or token); \(hint)"
        case .queryOrFragment:
            problem = "URLs must not contain a query (?) or fragment (#); \(hint)"
        case .extraPathSegments:
            problem = "only owner/repo may follow the host, not further path segments; \(hint)"
        case .emptySegment:
            problem = "the path has an empty segment; \(hint)"
        case .missingOwner:
            problem = "the owner is missing; \(hint)"
        case .missingName:
            problem = "the repository name is missing; \(hint)"
        case .dotSegment:
            problem = "\".\" and \"..\" path segments are not allowed; \(hint)"
        case .invalidOwner(let owner):
            problem = "owner \(String(reflecting: owner)) is not a valid GitHub owner: 1–39 ASCII letters, "
                + "digits or hyphens, not starting or ending with a hyphen, no double hyphen"
        case .invalidName(let name):
            problem = "repository name \(String(reflecting: name)) is not valid: 1–100 ASCII letters, "
                + "digits, '.', '-' or '_', and not \".\" or \"..\""
        case .tooMany:
            return "too many repositories: \(entry) selected after removing duplicates, "
                + "at most \(RepositorySelection.maximumCount) are allowed per session"
        }
        return "invalid repository \(quoted): \(problem)"
    }

    public var description: String { message }
}
