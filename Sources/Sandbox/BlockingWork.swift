import NIOPosix

/// Runs blocking system calls (recursive deletes, directory creation, `/proc` reads, `kill`
/// over a namespace's members) on NIO's blocking thread pool instead of the cooperative pool.
///
/// The runtime is an actor every session shares: a recursive delete of a large workspace run on
/// it would hold up every other session's start, stop and status for as long as the disk takes,
/// and on a 2-core machine tie up half of Swift concurrency's threads besides.
enum BlockingWork {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws(SandboxError) -> T) async throws(SandboxError) -> T {
        do {
            return try await NIOThreadPool.singleton.runIfActive {
                try body()
            }
        } catch let error as SandboxError {
            throw error
        } catch {
            throw SandboxError(.filesystem, "blocking work did not run: \(error)")
        }
    }

    /// For work that cannot fail (sending signals, looking for a namespace).
    static func perform<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T? {
        try? await NIOThreadPool.singleton.runIfActive(body)
    }
}
