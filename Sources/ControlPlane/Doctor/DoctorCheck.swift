/// One thing `netclode doctor` checks: the App's settings, what GitHub says about them, the
/// sandbox runtime, the database.
///
/// This is the seam a runtime plugs its own check into: the Kubernetes runtime's (its API
/// answers, and its service account may do what the Role grants, asked through
/// `SelfSubjectAccessReview`) is handed to ``Doctor/standard(environment:overrides:kubernetesCheck:logger:)``
/// by `netclode doctor`. A check never prints a token or key; what it reports is shown verbatim.
public protocol DoctorCheck: Sendable {
    /// Runs the check and says what it found: usually one finding, several when the check covers
    /// several things (one per App installation). A check that cannot run (a setting it depends on
    /// is broken) reports that as a failure, never as a pass.
    func run() async -> [DoctorFinding]
}

/// One line of `netclode doctor`'s answer.
public struct DoctorFinding: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// ✓: works as `netclode serve` needs it.
        case passed
        /// ✗: needs fixing; ``DoctorFinding/fix`` says how.
        case failed
        /// Neither: a fact worth knowing (the bot is off), not a verdict.
        case info
    }

    public var outcome: Outcome
    /// What was checked, e.g. `GitHub App settings`.
    public var subject: String
    /// What was found.
    public var detail: String
    /// For a failure: what to do about it.
    public var fix: String?

    public init(outcome: Outcome, subject: String, detail: String, fix: String? = nil) {
        self.outcome = outcome
        self.subject = subject
        self.detail = detail
        self.fix = fix
    }

    public static func passed(_ subject: String, _ detail: String) -> DoctorFinding {
        DoctorFinding(outcome: .passed, subject: subject, detail: detail)
    }

    public static func failed(_ subject: String, _ detail: String, fix: String) -> DoctorFinding {
        DoctorFinding(outcome: .failed, subject: subject, detail: detail, fix: fix)
    }

    public static func info(_ subject: String, _ detail: String) -> DoctorFinding {
        DoctorFinding(outcome: .info, subject: subject, detail: detail)
    }

    /// A check that could not run because one it depends on failed: a failure, never a pass.
    public static func notChecked(_ subject: String, because reason: String) -> DoctorFinding {
        .failed(subject, "not checked: \(reason)", fix: "fix the failure above, then run netclode doctor again")
    }

    /// `✓ subject: detail`, `✗ subject: detail` with the fix on an indented line below, or
    /// `• subject: detail` for information.
    public var rendered: String {
        switch outcome {
        case .passed: "✓ \(subject): \(detail)"
        case .failed: "✗ \(subject): \(detail)" + (fix.map { "\n    fix: \($0)" } ?? "")
        case .info: "• \(subject): \(detail)"
        }
    }
}
