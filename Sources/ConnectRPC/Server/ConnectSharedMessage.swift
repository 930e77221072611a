import NIOCore
import SwiftProtobuf
import Synchronization

/// A response message that many streams send, encoded at most once per codec.
///
/// A server that fans one message out to N streams (every watcher of a session gets the same
/// event) would otherwise encode it N times; with this, the first stream of each codec encodes it
/// and the others reuse the bytes (``ConnectServerStream/send(contentsOf:)-shared``).
public final class ConnectSharedMessage<M: Message>: Sendable {
    public let message: M
    private let payloads = Mutex<[ConnectCodec: ByteBuffer]>([:])

    public init(_ message: M) {
        self.message = message
    }

    /// The message encoded with `codec`. Two streams asking at once may both encode it; they
    /// get equal bytes, and the lock is never held while encoding.
    public func payload(_ codec: ConnectCodec) throws -> ByteBuffer {
        if let cached = payloads.withLock({ $0[codec] }) { return cached }
        let encoded = try codec.encode(message)
        payloads.withLock { $0[codec] = encoded }
        return encoded
    }
}
