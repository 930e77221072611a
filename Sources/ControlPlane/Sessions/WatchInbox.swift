import NetclodeProto
import Synchronization

/// One watcher's queue of live items.
///
/// The hub appends without ever waiting, so a slow watcher never delays the others or the agent
/// reporting. The watcher takes everything queued at once: one that fell behind catches up with
/// one write of several envelopes instead of one write, one flush and several task switches per
/// event — which is what lets 100 watchers keep up with 1,000 events/s on two cores.
///
/// The queue is bounded: a watcher that stops reading (a stalled client, a full TCP window) would
/// otherwise hold every event of the session in memory. Past `capacity` items, or `byteCapacity`
/// bytes of event text (run output comes in chunks of up to 32 KiB), the inbox drops what it
/// holds and ends; the watch then closes with `resource_exhausted` naming the cursor to resume
/// from, and nothing is lost to a client that does (the events are in the history).
final class WatchInbox: Sendable {
    private struct State {
        var items: [WatchItem] = []
        var waiter: CheckedContinuation<[WatchItem]?, Never>?
        var queuedBytes = 0
        var finished = false
        var overflowed = false
        var interrupted = false
    }

    static let defaultByteCapacity = 32 << 20

    let capacity: Int
    let byteCapacity: Int
    private let state = Mutex(State())

    init(capacity: Int, byteCapacity: Int = WatchInbox.defaultByteCapacity) {
        self.capacity = max(capacity, 1)
        self.byteCapacity = max(byteCapacity, 1)
    }

    /// What the bound says, for the message that closes an overflowed watch.
    var limitDescription: String { "\(capacity) events or \(byteCapacity >> 20) MiB" }

    /// True once the inbox ended because its watcher fell more than its capacity behind.
    var overflowed: Bool { state.withLock { $0.overflowed } }

    /// True once the inbox ended because the control plane is shutting down: the session goes on
    /// (on this control plane after its restart, or on another replica), so the watch ends with
    /// an error a client retries, not as if the session had ended.
    var interrupted: Bool { state.withLock { $0.interrupted } }

    func append(_ item: WatchItem) {
        let waiter = state.withLock { state -> CheckedContinuation<[WatchItem]?, Never>? in
            guard !state.finished else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil  // a waiting watcher has taken everything before: the queue is empty
                return waiter
            }
            let size = Self.size(of: item)
            guard state.items.count < capacity, state.queuedBytes + size <= byteCapacity else {
                state.items = []
                state.queuedBytes = 0
                state.overflowed = true
                state.finished = true
                return nil
            }
            state.items.append(item)
            state.queuedBytes += size
            return nil
        }
        waiter?.resume(returning: [item])
    }

    /// No more items: what is queued is still taken, then ``nextBatch()`` returns nil.
    /// `interrupted`: see ``interrupted``.
    func finish(interrupted: Bool = false) {
        let waiter = state.withLock { state -> CheckedContinuation<[WatchItem]?, Never>? in
            if !state.finished { state.interrupted = interrupted }
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
                        defer {
                            state.items = []
                            state.queuedBytes = 0
                        }
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

    /// Roughly what an item holds in memory: its text, plus a fixed overhead.
    private static func size(of item: WatchItem) -> Int {
        switch item {
        case .event(let published): 128 + published.event.data.utf8.count + published.event.message.utf8.count
        case .sessionUpdated: 512
        }
    }
}
