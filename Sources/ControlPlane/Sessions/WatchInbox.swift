import Synchronization

/// One watcher's queue of live items.
///
/// The hub appends without ever waiting, so a slow watcher never delays the others or the agent
/// reporting. The watcher takes everything queued at once: one that fell behind catches up with
/// one write of several envelopes instead of one write, one flush and several task switches per
/// event — which is what lets 100 watchers keep up with 1,000 events/s on two cores.
///
/// The queue is bounded: a watcher that stops reading (a stalled client, a full TCP window) would
/// otherwise hold every event of the session in memory. Past `capacity` the inbox drops what it
/// holds and ends; the watch then closes with `resource_exhausted` naming the cursor to resume
/// from, and nothing is lost to a client that does (the events are in the history).
final class WatchInbox: Sendable {
    private struct State {
        var items: [WatchItem] = []
        var waiter: CheckedContinuation<[WatchItem]?, Never>?
        var finished = false
        var overflowed = false
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    /// True once the inbox ended because its watcher fell more than `capacity` items behind.
    var overflowed: Bool { state.withLock { $0.overflowed } }

    func append(_ item: WatchItem) {
        let waiter = state.withLock { state -> CheckedContinuation<[WatchItem]?, Never>? in
            guard !state.finished else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil  // a waiting watcher has taken everything before: the queue is empty
                return waiter
            }
            guard state.items.count < capacity else {
                state.items = []
                state.overflowed = true
                state.finished = true
                return nil
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
