import NetclodeProto
import Storage
import SwiftProtobuf

/// How many events an agent may report, as a token bucket: `burst` at once, refilled at `rate`
/// per second.
///
/// An agent runs whatever the sandbox's commands make of it, so its reports are untrusted input:
/// without a bound, a runaway or hostile agent fills the database and every watcher's queue. The
/// rate is well above what a real agent sends (clone progress is throttled to a few ticks a
/// second per repository) and above the 1,000 events/s the fan-out benchmark appends.
struct ReportBudget: Sendable {
    static let rate = 2_000.0
    static let burst = 4_000.0
    /// The largest serialized event accepted; a clone progress event is under 300 bytes.
    static let maximumEventBytes = 64 * 1024

    private var available = ReportBudget.burst
    private var refilledAt = ContinuousClock.now

    /// Takes one event from the budget; false when it is spent.
    mutating func take(now: ContinuousClock.Instant = .now) -> Bool {
        let elapsed = now - refilledAt
        refilledAt = now
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        available = min(Self.burst, available + Self.rate * seconds)
        guard available >= 1 else { return false }
        available -= 1
        return true
    }
}

extension SessionManager {
    /// Checks an agent's event before it is stored: its size, the session's report budget, and
    /// for clone progress that the repository is one of the session's (a free-form `repo` would
    /// otherwise add a `repoStatus` entry per distinct value).
    func admit(_ event: Netclode_V1_AgentEvent, from sessionID: String) throws(ControlPlaneError) {
        guard let record = records[sessionID] else { throw .notFound("session \"\(sessionID)\" not found") }
        let size = ((try? event.serializedBytes()) as [UInt8]?)?.count ?? 0
        guard size <= ReportBudget.maximumEventBytes else {
            throw .invalidArgument("event of kind \"\(event.kind)\" is \(size) bytes; at most \(ReportBudget.maximumEventBytes) are accepted")
        }
        if event.kind == "repo_clone" && !record.repos.contains(event.repo) {
            throw .invalidArgument("repo_clone event for \"\(event.repo)\", which is not a repository of session \(sessionID)")
        }
        guard reportBudgets[sessionID, default: ReportBudget()].take() else {
            throw .resourceExhausted("the agent of session \(sessionID) reports more than \(Int(ReportBudget.rate)) events per second; slow down")
        }
    }
}
