import Synchronization

/// Lets operations run concurrently until the store closes, and lets `close()` wait for the ones
/// already running.
///
/// Closing the SQLite handle while a statement is still running on the thread pool would leave
/// that statement unfinalised and the handle leaked, so `close()` first stops new operations,
/// then waits for the in-flight ones to finish.
final class OperationGate: Sendable {
    private struct State {
        var isClosing = false
        var inFlight = 0
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Registers an operation; throws ``StorageError/closed`` once closing has begun.
    func enter() throws(StorageError) {
        try state.withLock { (state: inout State) throws(StorageError) in
            guard !state.isClosing else { throw .closed }
            state.inFlight += 1
        }
    }

    /// Ends an operation registered with ``enter()``.
    func leave() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.inFlight -= 1
            guard state.isClosing, state.inFlight == 0 else { return [] }
            defer { state.drainWaiters = [] }
            return state.drainWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Stops new operations and waits until the running ones have left. Returns `true` for the
    /// caller that should release the resource, `false` if closing had already begun.
    func close() async -> Bool {
        let first = state.withLock { state -> Bool in
            defer { state.isClosing = true }
            return !state.isClosing
        }
        guard first else { return false }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let drained = state.withLock { state -> Bool in
                if state.inFlight == 0 { return true }
                state.drainWaiters.append(continuation)
                return false
            }
            if drained { continuation.resume() }
        }
        return true
    }
}
