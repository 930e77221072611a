import Synchronization

/// Tasks waiting for something, in arrival order: the one audited place where the control plane
/// parks a task on a continuation.
///
/// Every waiter is resumed exactly once, by whichever comes first: a value handed to it
/// (``resumeFirst(where:returning:)``, ``resumeAll(where:returning:)``), an error
/// (``failAll(where:throwing:)``), its own task's cancellation (`CancellationError`), or its
/// deadline (the error given to ``wait(_:timeout:timeoutError:isolation:)``). A cancelled or
/// timed-out waiter leaves the queue at once, so nobody hands a slot, a lock or a reply to a task
/// that stopped waiting, and no continuation outlives the request that made it.
///
/// Each waiter carries a `Tag` (a session ID, a command ID) so one queue serves many keys.
///
/// The owner is an actor that decides whether to wait from its own state and then waits. Because
/// ``wait(_:timeout:timeoutError:isolation:)`` runs on the caller's actor (`#isolation`), the
/// decision and the registration happen in one synchronous step: a wake-up issued by the same
/// actor cannot slip in between and be lost.
final class WaitQueue<Tag: Sendable, Value: Sendable>: Sendable {
    private struct Waiter {
        let id: UInt64
        let tag: Tag
        let continuation: CheckedContinuation<Value, any Error>
        var timer: Task<Void, Never>?
    }

    private struct State {
        var nextID: UInt64 = 0
        var waiters: [Waiter] = []
    }

    private let state = Mutex(State())

    /// Waits until a value is handed to this waiter. Throws `CancellationError` when the task is
    /// cancelled, and `timeoutError()` when `timeout` passes first.
    func wait(
        _ tag: Tag,
        timeout: Duration? = nil,
        timeoutError: @escaping @Sendable () -> any Error = { WaitTimeout() },
        isolation: isolated (any Actor)? = #isolation
    ) async throws -> Value {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation(isolation: isolation) { (continuation: CheckedContinuation<Value, any Error>) in
                // The cancellation flag is set before the handler runs, and both take the lock: a
                // task cancelled before this point is refused here, one cancelled after is found
                // in the queue by the handler.
                let registered = state.withLock { state -> Bool in
                    guard !Task.isCancelled else { return false }
                    state.waiters.append(Waiter(id: id, tag: tag, continuation: continuation))
                    return true
                }
                guard registered else {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                guard let timeout else { return }
                let timer = Task { [weak self] in
                    guard (try? await Task.sleep(for: timeout)) != nil else { return }
                    self?.resume(id: id, with: .failure(timeoutError()))
                }
                let stillWaiting = state.withLock { state -> Bool in
                    guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return false }
                    state.waiters[index].timer = timer
                    return true
                }
                if !stillWaiting { timer.cancel() }
            }
        } onCancel: {
            resume(id: id, with: .failure(CancellationError()))
        }
    }

    /// Hands `value` to the longest-waiting waiter whose tag matches; returns its tag, or nil
    /// when none waits.
    @discardableResult
    func resumeFirst(where matches: (Tag) -> Bool = { _ in true }, returning value: Value) -> Tag? {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { matches($0.tag) }) else { return nil }
            return state.waiters.remove(at: index)
        }
        guard let waiter else { return nil }
        waiter.timer?.cancel()
        waiter.continuation.resume(returning: value)
        return waiter.tag
    }

    /// Hands `value` to every waiter whose tag matches; returns how many there were.
    @discardableResult
    func resumeAll(where matches: (Tag) -> Bool = { _ in true }, returning value: Value) -> Int {
        let resumed = take(where: matches)
        for waiter in resumed {
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: value)
        }
        return resumed.count
    }

    /// Fails every waiter whose tag matches with `error`.
    func failAll(where matches: (Tag) -> Bool = { _ in true }, throwing error: any Error) {
        for waiter in take(where: matches) {
            waiter.timer?.cancel()
            waiter.continuation.resume(throwing: error)
        }
    }

    /// How many waiters with a matching tag are waiting.
    func count(where matches: (Tag) -> Bool = { _ in true }) -> Int {
        state.withLock { state in state.waiters.count { matches($0.tag) } }
    }

    private func take(where matches: (Tag) -> Bool) -> [Waiter] {
        state.withLock { state in
            let taken = state.waiters.filter { matches($0.tag) }
            if !taken.isEmpty { state.waiters.removeAll { matches($0.tag) } }
            return taken
        }
    }

    private func resume(id: UInt64, with result: Result<Value, any Error>) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        guard let waiter else { return }
        waiter.timer?.cancel()
        waiter.continuation.resume(with: result)
    }
}

/// A ``WaitQueue`` waiter's deadline passed before anything was handed to it.
struct WaitTimeout: Error, Sendable {}
