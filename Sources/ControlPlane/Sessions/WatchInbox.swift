import Synchronization

/// One watcher's queue of live items.
///
/// The hub appends without ever waiting, so a slow watcher never delays the others or the agent
/// reporting. The watcher takes everything queued at once: one that fell behind catches up with
/// one write of several envelopes instead of one write, one flush and several task switches per
/// event — which is what lets 100 watchers keep up with 1,000 events/s on two cores.
final class WatchInbox: Sendable {
    private struct State {
        var items: [WatchItem] = []
        var waiter: CheckedContinuation<[WatchItem]?, Never>?
        var finished = false
    }

    private let state = Mutex(State())

    func append(_ item: WatchItem) {
        let waiter = state.withLock { state -> CheckedContinuation<[WatchItem]?, Never>? in
            guard !state.finished else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil  // a waiting watcher has taken everything before: the queue is empty
                return waiter
            }
            state.items.append(item)
            return nil
        }
        waiter?.resume(returning: [item])
    }

    /// No more items: what is queued is still taken, then ``nextBatch()`` returns nil.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<[WatchItem]?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Everything queued (at least one item), waiting for one if there is none; nil once finished
    /// and drained, or when the calling task is cancelled (the watcher went away).
    func nextBatch() async -> [WatchItem]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[WatchItem]?, Never>) in
                let immediate: [WatchItem]?? = state.withLock { state in
                    if !state.items.isEmpty {
                        defer { state.items = [] }
                        return .some(state.items)
                    }
                    if state.finished { return .some(nil) }
                    state.waiter = continuation
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            finish()
        }
    }
}
