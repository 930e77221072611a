extension Identifiers {
    /// `run-` and 12 lower-case letters and digits.
    static func runID() -> String { "run-" + sessionID() }

    /// `exec-` and 12 lower-case letters and digits.
    static func execStreamID() -> String { "exec-" + sessionID() }
}
