import Foundation
import Sandbox
import Synchronization

/// A ``SandboxRuntime`` that starts no process, for tests of the session manager's ordering.
///
/// A race between two operations of one session cannot be provoked reliably with real processes:
/// the window is a few milliseconds wide. This runtime records each start's spec (so the test can
/// attach as the session's agent through the manager's own agent API, see ``ScriptedAgent``) and
/// can hold starts until the test lets them go, which opens the window on purpose. Everything
/// else in these tests is real: the store is SQLite, the tokens come from the forge process.
actor ScriptedRuntime: SandboxRuntime {
    private(set) var specs: [String: SandboxSpec] = [:]
    private var running: Set<String> = []
    private var holdingStarts = false
    private var held: [CheckedContinuation<Void, Never>] = []
    nonisolated let sandboxesOutliveControlPlane = false
    nonisolated let events: AsyncStream<SandboxEvent>
    let root: URL

    init(root: URL) {
        self.root = root
        events = AsyncStream.makeStream(of: SandboxEvent.self).stream
    }

    /// From now on, each start waits inside ``start(_:)`` until ``releaseStarts()``.
    func holdStarts() { holdingStarts = true }

    /// Lets every held start go on, and stops holding new ones.
    func releaseStarts() {
        holdingStarts = false
        for start in held { start.resume() }
        held = []
    }

    var heldStarts: Int { held.count }

    /// From now on, each start throws an error with `message` (nil: starts succeed again).
    func failStarts(with message: String?) { startFailure = message }
    private var startFailure: String?

    func checkCanStart() async throws {}

    func isRunning(_ sessionID: String) -> Bool { running.contains(sessionID) }

    func start(_ spec: SandboxSpec) async throws -> SandboxInfo {
        specs[spec.sessionID] = spec
        if holdingStarts { await withCheckedContinuation { held.append($0) } }
        if let startFailure { throw SandboxError(.launchFailed, startFailure) }
        running.insert(spec.sessionID)
        return SandboxInfo(sessionID: spec.sessionID, location: "scripted", isolated: false)
    }

    func stop(sessionID: String, grace: Duration) async {
        running.remove(sessionID)
    }

    func status(sessionID: String) async -> SandboxStatus {
        running.contains(sessionID) ? .running : .notRunning
    }

    func remove(sessionID: String) async throws {
        running.remove(sessionID)
    }

    func adoptRunning() async throws -> [AdoptedSandbox] { [] }

    func shutdown(grace: Duration) async {
        running.removeAll()
    }
}
