/// Where a session is in its life: `creating → cloning → ready`, `paused`, `error`, `deleted`.
public enum SessionStatus: String, Sendable, CaseIterable {
    case creating, cloning, ready, paused, error, deleted

    /// Statuses whose sandbox should be running; after a restart these sessions get their
    /// sandbox back.
    public var wantsSandbox: Bool {
        switch self {
        case .creating, .cloning, .ready: true
        case .paused, .error, .deleted: false
        }
    }

    /// Statuses `ResumeSession` starts a sandbox for.
    var canResume: Bool { self == .paused || self == .error }
}

/// The stages of a `repo_clone` event.
enum CloneStage: String {
    case starting, cloning, done, error

    var isFinal: Bool { self == .done || self == .error }
}
