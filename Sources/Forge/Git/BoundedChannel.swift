import Synchronization

/// A single-producer, single-consumer async queue holding at most `capacity` elements.
///
/// It carries `git http-backend`'s output from the task running the CGI to the response body
/// writer: when the client reads slowly, `send` suspends, the pipe fills and git itself waits, so
/// a pack is never buffered whole in memory.
final class BoundedChannel<Element: Sendable>: Sendable {
    private struct State {
        var buffer: [Element] = []
        var finished = false
        var failure: (any Error)?
        var cancelled = false
        var consumer: CheckedContinuation<Element?, any Error>?
        var producer: CheckedContinuation<Void, any Error>?
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Enqueues `element`, suspending while the queue is full. Throws `CancellationError` once the
    /// consumer has gone away.
    func send(_ element: Element) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            state.withLock { state in
                if state.cancelled {
                    continuation.resume(throwing: CancellationError())
                } else if let consumer = state.consumer {
                    state.consumer = nil
                    consumer.resume(returning: element)
                    continuation.resume()
                } else {
                    state.buffer.append(element)
                    if state.buffer.count < capacity {
                        continuation.resume()
                    } else {
                        state.producer = continuation
                    }
                }
            }
        }
    }

    /// Ends the stream after the buffered elements; with `error`, the consumer sees it instead of
    /// the end.
    func finish(throwing error: (any Error)? = nil) {
        state.withLock { state in
            guard !state.finished else { return }
            state.finished = true
            state.failure = error
            if let consumer = state.consumer, state.buffer.isEmpty {
                state.consumer = nil
                if let error { consumer.resume(throwing: error) } else { consumer.resume(returning: nil) }
            }
        }
    }

    /// The consumer is gone: fail the producer's pending and future sends.
    func cancel() {
        state.withLock { state in
            state.cancelled = true
            state.buffer.removeAll()
            state.producer?.resume(throwing: CancellationError())
            state.producer = nil
        }
    }

    /// The next element, or `nil` at the end.
    func next() async throws -> Element? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Element?, any Error>) in
            state.withLock { state in
                if !state.buffer.isEmpty {
                    let element = state.buffer.removeFirst()
                    if let producer = state.producer {
                        state.producer = nil
                        producer.resume()
                    }
                    continuation.resume(returning: element)
                } else if state.finished {
                    if let failure = state.failure { continuation.resume(throwing: failure) } else { continuation.resume(returning: nil) }
                } else {
                    state.consumer = continuation
                }
            }
        }
    }
}
