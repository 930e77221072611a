/// Where a session is in its life (DESIGN.md §2): `creating → cloning → ready ⇄ running`,
/// `paused`, `error`, `deleted`.
public enum SessionStatus: String, Sendable, CaseIterable {
    case creating, cloning, ready, running, paused, error, deleted

    /// Statuses whose sandbox should be running; after a restart these sessions get their
    /// sandbox back.
    public var wantsSandbox: Bool {
        switch self {
        case .creating, .cloning, .ready, .running: true
        case .paused, .error, .deleted: false
        }
    }
}

/// The stages of a `repo_clone` event.
enum CloneStage: String {
    case starting, cloning, done, error

    var isFinal: Bool { self == .done || self == .error }
}
