import NIOCore
import Synchronization

/// Hands framed envelopes from a streaming handler (any task) to the one task that owns the
/// response writer, one at a time, with backpressure.
///
/// `send` returns only after the writer has written (and flushed) the frame, so a handler never
/// runs ahead of a slow client and learns at once when the client is gone. `close` fails every
/// waiting and future `send` — that is how a disconnect or a deadline reaches the handler.
final class EnvelopeOutbox: Sendable {
    struct PendingFrame: Sendable {
        let frame: ByteBuffer
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var queue: [PendingFrame] = []
        var consumer: CheckedContinuation<PendingFrame?, Never>?
        var finished = false
        var closedBecause: ConnectError?
    }

    private let state = Mutex(State())

    /// Queues `frame` and waits until the writer has written it.
    func send(_ frame: ByteBuffer) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            enum Action { case fail(ConnectError), deliver(CheckedContinuation<PendingFrame?, Never>, PendingFrame), wait }
            let pending = PendingFrame(frame: frame, continuation: continuation)
            let action: Action = state.withLock { state in
                if let reason = state.closedBecause { return .fail(reason) }
                if state.finished {
                    return .fail(ConnectError(.canceled, "the response stream has already ended"))
                }
                if let consumer = state.consumer {
                    state.consumer = nil
                    return .deliver(consumer, pending)
                }
                state.queue.append(pending)
                return .wait
            }
            switch action {
            case .fail(let error): continuation.resume(throwing: error)
            case .deliver(let consumer, let pending): consumer.resume(returning: pending)
            case .wait: break
            }
        }
    }

    /// The next frame to write; `nil` once the handler has finished and everything is written,
    /// or the outbox was closed. Cancelling the caller closes the outbox.
    func next() async -> PendingFrame? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<PendingFrame?, Never>) in
                let immediate: PendingFrame?? = state.withLock { state in
                    if !state.queue.isEmpty { return .some(state.queue.removeFirst()) }
                    if state.finished || state.closedBecause != nil { return .some(nil) }
                    state.consumer = continuation
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            close(ConnectError(.canceled, "the call was canceled"))
        }
    }

    /// The handler is done: frames already queued are still written, then `next` returns `nil`.
    func finish() {
        let consumer = state.withLock { state -> CheckedContinuation<PendingFrame?, Never>? in
            state.finished = true
            guard state.queue.isEmpty else { return nil }
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume(returning: nil)
    }

    /// Nothing more can be written: fails queued and future sends with `reason`.
    func close(_ reason: ConnectError) {
        let (queued, consumer) = state.withLock { state in
            if state.closedBecause == nil { state.closedBecause = reason }
            defer { state.queue = []; state.consumer = nil }
            return (state.queue, state.consumer)
        }
        for pending in queued { pending.continuation.resume(throwing: reason) }
        consumer?.resume(returning: nil)
    }
}
