/// Bounds how many sandboxes are starting at once, and how many starts may wait for a slot.
///
/// Starting a sandbox is the expensive moment of a session (a bubblewrap namespace, a process, the
/// agent loading and dialling back, a first clone), so fifty `CreateSession` calls arriving
/// together would otherwise start fifty processes on a two-core machine and slow every one of
/// them down past its timeouts. A start holds its slot from before its token is minted until its
/// agent attaches (or the sandbox exits, or the start is abandoned, or `slotTimeout` passes, so a
/// slot is never lost). Starts beyond the limit wait in arrival order; beyond the queue bound a
/// new session is refused at once with `resource_exhausted`, before anything was made for it. A
/// waiting start whose caller goes away leaves the queue at once (see ``WaitQueue``).
///
/// `CreateSession` answers before its sandbox starts, so it cannot wait here: it ``reserve(_:)``s
/// (a slot if one is free, else a place in the queue, else the refusal) while the caller is still
/// there, and the background start then ``acquire(_:queueing:)``s what was reserved.
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
    /// earlier start cannot release a later one) and the timer that gives it up.
    private var holders: [String: (generation: UInt64, timer: Task<Void, Never>)] = [:]
    private let waiting = WaitQueue<String, Void>()
    /// Sessions with a place in the queue whose start has not begun waiting yet.
    private var reserved: Set<String> = []
    private var nextGeneration: UInt64 = 0

    init(limit: Int, queueLimit: Int, slotTimeout: Duration) {
        self.limit = max(limit, 1)
        self.queueLimit = max(queueLimit, 0)
        self.slotTimeout = slotTimeout
    }

    var starting: Int { holders.count }
    var queued: Int { waiting.count() + reserved.count }

    /// Takes a slot for `sessionID` if one is free, else a place in the queue, without waiting;
    /// throws `resource_exhausted` when the queue is full. The start that follows calls
    /// ``acquire(_:queueing:)``, which never refuses a reserved session; ``release(_:)`` gives
    /// either back.
    func reserve(_ sessionID: String) throws(ControlPlaneError) {
        guard holders[sessionID] == nil, !reserved.contains(sessionID) else { return }
        if holders.count < limit {
            hold(sessionID)
            return
        }
        guard queued < queueLimit else { throw queueFull }
        reserved.insert(sessionID)
    }

    private var queueFull: ControlPlaneError {
        .resourceExhausted(
            "too many sessions are starting (\(holders.count) starting, \(queued) waiting; "
                + "limits NETCLODE_MAX_CONCURRENT_STARTS=\(limit), NETCLODE_MAX_QUEUED_STARTS=\(queueLimit)); try again in a few seconds")
    }

    /// Waits for a slot for `sessionID` and returns once it holds one: true when this call took
    /// it, false when the session held one already (its start is under way). Throws
    /// `resource_exhausted` when the queue is full (bounded queueing), and `cancelled` when the
    /// caller goes away first.
    @discardableResult
    func acquire(_ sessionID: String, queueing: Queueing) async throws(ControlPlaneError) -> Bool {
        if holders[sessionID] != nil { return false }
        let wasReserved = reserved.remove(sessionID) != nil
        if holders.count < limit {
            hold(sessionID)
            return true
        }
        if queueing == .bounded && !wasReserved && queued >= queueLimit { throw queueFull }
        do {
            try await waiting.wait(sessionID)
        } catch {
            throw .cancelled("the start of session \(sessionID) was abandoned while it waited for a start slot")
        }
        // The releasing start handed its slot over (see `handOver`).
        return true
    }

    /// Gives up `sessionID`'s slot, if it holds one, and hands it to the longest-waiting start.
    /// Safe to call more than once.
    func release(_ sessionID: String) {
        reserved.remove(sessionID)
        guard let held = holders.removeValue(forKey: sessionID) else { return }
        held.timer.cancel()
        handOver()
    }

    private func release(_ sessionID: String, generation: UInt64) {
        guard holders[sessionID]?.generation == generation else { return }
        release(sessionID)
    }

    private func handOver() {
        while holders.count < limit {
            // The slot is taken before the waiter runs, so a start arriving meanwhile cannot jump the queue.
            guard let next = waiting.resumeFirst(where: { [holders] in holders[$0] == nil }, returning: ()) else { return }
            hold(next)
        }
    }

    private func hold(_ sessionID: String) {
        nextGeneration += 1
        let generation = nextGeneration
        let timeout = slotTimeout
        let timer = Task { [weak self] in
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            await self?.release(sessionID, generation: generation)
        }
        holders[sessionID] = (generation, timer)
    }
}
