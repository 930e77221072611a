import Synchronization

/// A value behind a lock, as a class so `@Sendable` escaping closures (stream handlers) can share
/// it; `Mutex` itself cannot be captured by them.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<T: Sendable>(_ body: (inout Value) -> T) -> T {
        mutex.withLock { body(&$0) }
    }

    var value: Value { mutex.withLock { $0 } }
}
