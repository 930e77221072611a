import Foundation

/// One session as persisted: everything needed to bring it back after a restart, and nothing
/// secret (no tokens, no agent secrets).
///
/// Statuses and access levels are plain strings so that this module stays independent of the
/// control plane's enums and of protobuf; the `SessionManager` maps them.
///
/// Dates are stored with millisecond precision: a record read back compares equal to the one
/// written only if its dates were already whole milliseconds.
public struct SessionRecord: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    /// `creating`, `cloning`, `ready`, `paused`, `error` or `deleted`.
    public var status: String
    /// The repositories: `owner/repo` as stored (schema version 6 on); the control plane handles
    /// them as clone URLs under `GITHUB_WEB_URL` in memory.
    public var repos: [String]
    /// `"read"` or `"write"`; `nil` for a session without repos.
    public var repoAccess: String?
    /// Whether the repos are cloned with `--filter=blob:none`.
    public var blobless: Bool
    /// Per-repo clone progress, last known.
    public var repoStatus: [RepoStatusRecord]
    public var createdAt: Date
    public var updatedAt: Date
    /// Why the session is in `error`, if it is.
    public var error: String?
    /// The session's own agent command (an argv template); empty: the server's.
    public var agentCommand: [String]
    /// `Name <email>` when the session's commits are attributed to a person, not the App's bot.
    public var gitAuthor: String?
    /// The repository cloned into the workspace root itself: the only one of a session created
    /// with one repository, which stays there when more are added (they go to `owner__repo`).
    public var rootRepo: String?
    /// `"proxy"` (git reaches GitHub through the control plane's git proxy; no token in the
    /// sandbox) or `"token"` (the installation token is in the sandbox). Sessions stored before
    /// credential modes existed ran with tokens.
    public var credentialMode: String
    /// What the git proxy lets the session push; `nil` for the default policy.
    public var pushPolicy: PushPolicyRecord?

    public init(
        id: String,
        name: String,
        status: String,
        repos: [String] = [],
        repoAccess: String? = nil,
        blobless: Bool = false,
        repoStatus: [RepoStatusRecord] = [],
        createdAt: Date,
        updatedAt: Date,
        error: String? = nil,
        agentCommand: [String] = [],
        gitAuthor: String? = nil,
        rootRepo: String? = nil,
        credentialMode: String = "token",
        pushPolicy: PushPolicyRecord? = nil
    ) {
        self.id = id
        self.name = name
        self.status = status
        self.repos = repos
        self.repoAccess = repoAccess
        self.blobless = blobless
        self.repoStatus = repoStatus
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.error = error
        self.agentCommand = agentCommand
        self.gitAuthor = gitAuthor
        self.rootRepo = rootRepo
        self.credentialMode = credentialMode
        self.pushPolicy = pushPolicy
    }
}
