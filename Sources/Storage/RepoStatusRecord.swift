/// The last known clone state of one repo of a session, kept so that a client attaching after a
/// restart still sees how far each clone got.
public struct RepoStatusRecord: Sendable, Equatable, Codable {
    /// The repository, as in ``SessionRecord/repos``.
    public var repo: String
    /// The agent's stage name (e.g. `cloning`, `ready`, `error`).
    public var stage: String
    /// A human-readable detail (progress or the error).
    public var message: String

    public init(repo: String, stage: String, message: String) {
        self.repo = repo
        self.stage = stage
        self.message = message
    }
}
