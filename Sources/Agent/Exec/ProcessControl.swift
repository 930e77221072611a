import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A handle on a streamed process that someone other than its reader may stop: `CancelProcess`
/// from the control plane, or the process's own timeout.
///
/// Stopping sends SIGTERM to the process group (the command and everything it started), then
/// SIGKILL after the grace period. A stop asked for before the process exists is applied the
/// moment it starts, so a cancel that races the launch is never lost.
public final class ProcessControl: Sendable {
    public enum StopReason: Sendable, Equatable {
        case cancelled(String)
        case timedOut
    }

    private struct State {
        var processGroup: pid_t?
        var stopReason: StopReason?
    }

    private let state = Mutex(State())
    let grace: Duration

    public init(grace: Duration = .seconds(5)) {
        self.grace = grace
    }

    /// Why the process was stopped, if it was.
    public var stopReason: StopReason? { state.withLock { $0.stopReason } }

    /// Stops the process (once; later calls keep the first reason).
    public func stop(_ reason: StopReason) {
        let group = state.withLock { state -> pid_t? in
            guard state.stopReason == nil else { return nil }
            state.stopReason = reason
            return state.processGroup
        }
        if let group { terminate(group) }
    }

    /// The process started as the leader of process group `group`.
    func started(processGroup group: pid_t) {
        let stopNow = state.withLock { state -> Bool in
            state.processGroup = group
            return state.stopReason != nil
        }
        if stopNow { terminate(group) }
    }

    /// The process exited: a late stop must not signal a group id the kernel may reuse.
    func ended() {
        state.withLock { $0.processGroup = nil }
    }

    private func terminate(_ group: pid_t) {
        _ = kill(-group, SIGTERM)
        let grace = self.grace
        Task { [weak self] in
            try? await Task.sleep(for: grace)
            guard let self, self.state.withLock({ $0.processGroup == group }) else { return }
            _ = kill(-group, SIGKILL)
        }
    }
}
