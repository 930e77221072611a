/// Bounds how many sandboxes are starting at once, and how many starts may wait for a slot.
///
/// Starting a sandbox is the expensive moment of a session (a bubblewrap namespace, a process, the
/// agent loading and dialling back, a first clone), so fifty `CreateSession` calls arriving
/// together would otherwise start fifty processes on a two-core machine and slow every one of
/// them down past its timeouts. A start holds its slot from before its token is minted until its
/// agent attaches (or the sandbox exits, or the start is abandoned, or `slotTimeout` passes, so a
/// slot is never lost). Starts beyond the limit wait in arrival order; beyond the queue bound a
/// new session is refused at once with `resource_exhausted`, before anything was made for it.
actor StartLimiter {
    /// Whether a start may be refused when the queue is full. Sessions restored after a restart
    /// always wait: they exist already and refusing them would strand them.
    enum Queueing: Sendable {
        case bounded
        case unbounded
    }

    let limit: Int
    let queueLimit: Int
    let slotTimeout: Duration
    /// Sessions holding a slot, with the generation of their hold (so a stale timeout of an
    /// earlier start cannot release a later one).
    private var holders: [String: UInt64] = [:]
    private var waiting: [(id: String, generation: UInt64, continuation: CheckedContinuation<Void, Never>)] = []
    private var nextGeneration: UInt64 = 0

    init(limit: Int, queueLimit: Int, slotTimeout: Duration) {
        self.limit = max(limit, 1)
        self.queueLimit = max(queueLimit, 0)
        self.slotTimeout = slotTimeout
    }

    var starting: Int { holders.count }
    var queued: Int { waiting.count }

    /// Waits for a slot for `sessionID` and returns once it holds one.
    func acquire(_ sessionID: String, queueing: Queueing) async throws(ControlPlaneError) {
        if holders[sessionID] != nil { return }  // already holds one (a resume takes its slot before launching)
        nextGeneration += 1
        let generation = nextGeneration
        if holders.count < limit {
            hold(sessionID, generation: generation)
            return
        }
        if queueing == .bounded && waiting.count >= queueLimit {
            throw .resourceExhausted(
                "too many sessions are starting (\(holders.count) starting, \(waiting.count) waiting; "
                    + "limits NETCLODE_MAX_CONCURRENT_STARTS=\(limit), NETCLODE_MAX_QUEUED_STARTS=\(queueLimit)); try again in a few seconds")
        }
        await withCheckedContinuation { continuation in
            waiting.append((sessionID, generation, continuation))
        }
        // The releasing start handed its slot over (see `release`).
    }

    /// Gives up `sessionID`'s slot, if it holds one, and hands it to the longest-waiting start.
    /// Safe to call more than once.
    func release(_ sessionID: String) {
        guard holders.removeValue(forKey: sessionID) != nil else { return }
        handOver()
    }

    private func release(_ sessionID: String, generation: UInt64) {
        guard holders[sessionID] == generation else { return }
        release(sessionID)
    }

    private func handOver() {
        while holders.count < limit, !waiting.isEmpty {
            let next = waiting.removeFirst()
            hold(next.id, generation: next.generation)
            next.continuation.resume()
        }
    }

    private func hold(_ sessionID: String, generation: UInt64) {
        holders[sessionID] = generation
        let timeout = slotTimeout
        Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.release(sessionID, generation: generation)
        }
    }
}
