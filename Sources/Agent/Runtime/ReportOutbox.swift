import NetclodeProto
import SwiftProtobuf
import Synchronization

/// The agent's reports waiting to be sent, in the order they were made.
///
/// One sender drains it (``next()``), so a progress tick made after `done` never arrives after it.
/// Process output is special in two ways:
/// - a chunk joins the chunk queued just before it when both belong to the same process and
///   stream (up to ``chunkLimit`` bytes), so a process that prints faster than reports travel
///   costs fewer, larger reports instead of a queue of tiny ones;
/// - at most ``outputBudget`` bytes of output wait at once: ``postOutput(_:)`` suspends until the
///   sender has made room, and the process reading the output stops reading meanwhile, so a
///   flooding process is slowed down by its pipe instead of growing the agent's memory.
final class ReportOutbox: Sendable {
    typealias Body = Netclode_V1_AgentReport.OneOf_Report

    /// The largest output chunk in one event: well under the control plane's 64 KiB event cap.
    static let chunkLimit = 32 * 1024
    static let outputBudget = 1 << 20
    /// A report carries at most this many event bytes: the events queued behind the first one
    /// travel with it, so a busy process costs one round trip per batch, not per chunk.
    static let batchLimit = 256 * 1024
    static let batchCount = 64

    private struct State {
        var items: [Body] = []
        var outputBytes = 0
        var consumer: CheckedContinuation<Body?, Never>?
        var roomWaiters: [CheckedContinuation<Void, Never>] = []
        var finished = false
    }

    private let state = Mutex(State())

    /// Queues a report.
    func post(_ body: Body) {
        let consumer = state.withLock { state -> CheckedContinuation<Body?, Never>? in
            guard !state.finished else { return nil }
            if let consumer = state.consumer {
                state.consumer = nil
                return consumer
            }
            state.items.append(body)
            return nil
        }
        consumer?.resume(returning: body)
    }

    /// Queues an output event (its `data` cut into chunks of at most ``chunkLimit`` bytes),
    /// waiting first until the output already queued is under ``outputBudget``.
    func postOutput(_ event: Netclode_V1_AgentEvent) async {
        for piece in Self.pieces(of: event.data, limit: Self.chunkLimit) {
            await waitForRoom()
            var chunk = event
            chunk.data = piece
            let consumer = state.withLock { state -> CheckedContinuation<Body?, Never>? in
                guard !state.finished else { return nil }
                if let consumer = state.consumer {
                    // The sender is idle: the chunk leaves at once and never counts as waiting.
                    state.consumer = nil
                    return consumer
                }
                state.outputBytes += piece.utf8.count
                if case .event(var last)? = state.items.last, last.kind == chunk.kind, last.runID == chunk.runID,
                   last.stream == chunk.stream, last.data.utf8.count + piece.utf8.count <= Self.chunkLimit {
                    last.data += piece
                    state.items[state.items.count - 1] = .event(last)
                } else {
                    state.items.append(.event(chunk))
                }
                return nil
            }
            consumer?.resume(returning: .event(chunk))
        }
    }

    /// The next report, once there is one; nil after ``finish()``. Events queued one after the
    /// other leave together as one `events` batch.
    func next() async -> Body? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Body?, Never>) in
            let (item, ended, room) = state.withLock { state -> (Body?, Bool, [CheckedContinuation<Void, Never>]) in
                guard !state.items.isEmpty else {
                    if state.finished { return (nil, true, []) }
                    state.consumer = continuation
                    return (nil, false, [])
                }
                let item = Self.takeBatch(from: &state.items, outputBytes: &state.outputBytes)
                guard state.outputBytes < Self.outputBudget else { return (item, false, []) }
                let room = state.roomWaiters
                state.roomWaiters.removeAll()
                return (item, false, room)
            }
            for waiter in room { waiter.resume() }
            if let item { continuation.resume(returning: item) } else if ended { continuation.resume(returning: nil) }
        }
    }

    /// The first queued report, or the run of events at the head of the queue as one batch.
    private static func takeBatch(from items: inout [Body], outputBytes: inout Int) -> Body {
        var events: [Netclode_V1_AgentEvent] = []
        var size = 0
        while case .event(let event)? = items.first, events.count < batchCount,
              events.isEmpty || size + event.data.utf8.count <= batchLimit {
            items.removeFirst()
            events.append(event)
            size += event.data.utf8.count
        }
        outputBytes -= size
        switch events.count {
        case 0: return items.removeFirst()
        case 1: return .event(events[0])
        default: return .events(.with { $0.events = events })
        }
    }

    /// Ends the outbox: the sender gets nil once the queue is empty, and waiting producers go on.
    func finish() {
        let (consumer, room) = state.withLock { state in
            state.finished = true
            defer { state.consumer = nil; state.roomWaiters.removeAll() }
            return (state.items.isEmpty ? state.consumer : nil, state.roomWaiters)
        }
        consumer?.resume(returning: nil)
        for waiter in room { waiter.resume() }
    }

    private func waitForRoom() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let proceed = state.withLock { state -> Bool in
                guard !state.finished, state.outputBytes >= Self.outputBudget else { return true }
                state.roomWaiters.append(continuation)
                return false
            }
            if proceed { continuation.resume() }
        }
    }

    /// `text` in pieces of at most `limit` UTF-8 bytes, cut between scalars (never inside one's
    /// bytes). Works on the bytes: appending scalar by scalar costs more than the whole report.
    static func pieces(of text: String, limit: Int) -> [String] {
        guard text.utf8.count > limit else { return [text] }
        let bytes = Array(text.utf8)
        var pieces: [String] = []
        var start = 0
        while start < bytes.count {
            var end = min(start + limit, bytes.count)
            // Back off continuation bytes (10xxxxxx) to the start of their scalar.
            while end < bytes.count, end > start, bytes[end] & 0xC0 == 0x80 { end -= 1 }
            if end == start {
                // A limit smaller than one scalar: take the whole scalar.
                end += 1
                while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
            }
            pieces.append(String(decoding: bytes[start..<end], as: UTF8.self))
            start = end
        }
        return pieces
    }
}
