/// Something that happened while cloning one repository. Maps onto the `repo_clone` agent event:
/// ``stage`` (`starting`, `cloning`, `done`, `error`), ``message``, ``phase`` and ``percent``.
public struct CloneEvent: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case starting
        /// A throttled progress update of git.
        case cloning(phase: String, percent: Int)
        case done
        /// The clone failed (the message says why); the agent continues without this repository.
        case error
    }

    public var target: CloneTarget
    public var kind: Kind
    /// Human-readable, free of credentials: `Cloning repository...`, `Receiving objects: 45%`,
    /// `Cloned into owner__repo`, `Already cloned`, or git's error.
    public var message: String

    public init(target: CloneTarget, kind: Kind, message: String) {
        self.target = target
        self.kind = kind
        self.message = message
    }

    /// The repository's clone URL (the event's `repo`).
    public var repository: String { target.url }

    /// `starting`, `cloning`, `done` or `error`.
    public var stage: String {
        switch kind {
        case .starting: return "starting"
        case .cloning: return "cloning"
        case .done: return "done"
        case .error: return "error"
        }
    }

    public var phase: String? {
        if case .cloning(let phase, _) = kind { return phase }
        return nil
    }

    public var percent: Int? {
        if case .cloning(_, let percent) = kind { return percent }
        return nil
    }

    public var description: String { "\(target.fullName) \(stage): \(message)" }
}

/// How one repository's clone ended.
public struct CloneOutcome: Sendable, Equatable {
    public var target: CloneTarget
    public var succeeded: Bool
    /// The directory already held this repository; nothing was cloned.
    public var alreadyCloned: Bool
    /// The message of the final (`done` or `error`) event.
    public var message: String

    public init(target: CloneTarget, succeeded: Bool, alreadyCloned: Bool = false, message: String) {
        self.target = target
        self.succeeded = succeeded
        self.alreadyCloned = alreadyCloned
        self.message = message
    }
}
