import NIOCore

/// A listening channel that serves each accepted connection in a child task of its own, until
/// ``stop()``: the listener closes and every connection in progress ends with it.
///
/// One connection's failure (a reset, a peer gone) ends only that connection.
public struct AcceptLoop: Sendable {
    private let listener: any Channel
    private let task: Task<Void, Never>

    public init(_ server: NIOAsyncChannel<ByteChannel, Never>, serve: @escaping @Sendable (ByteChannel) async throws -> Void) {
        listener = server.channel
        task = Task {
            _ = try? await server.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { tasks in
                    for try await connection in connections {
                        tasks.addTask { try? await serve(connection) }
                    }
                }
            }
        }
    }

    public func stop() async {
        listener.close(promise: nil)
        task.cancel()
        await task.value
    }
}
