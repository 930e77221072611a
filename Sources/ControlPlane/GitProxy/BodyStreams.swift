import Foundation
import Hummingbird
import NIOCore

/// A request body after the proxy has read its start: the bytes it read, then the rest as it
/// arrives. The upstream request pulls it, so a slow GitHub slows the client down instead of the
/// proxy buffering the push.
struct ResumedRequestBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    /// The one iterator of the request body, handed from the handler to the upstream request,
    /// which is its only reader from then on.
    final class Remainder: @unchecked Sendable {
        var iterator: RequestBody.AsyncIterator
        init(_ iterator: RequestBody.AsyncIterator) { self.iterator = iterator }
    }

    let prefix: ByteBuffer
    let remainder: Remainder

    struct AsyncIterator: AsyncIteratorProtocol {
        var prefix: ByteBuffer?
        let remainder: Remainder

        mutating func next() async throws -> ByteBuffer? {
            if let pending = prefix {
                prefix = nil
                if pending.readableBytes > 0 { return pending }
            }
            return try await remainder.iterator.next()
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(prefix: prefix, remainder: remainder)
    }

    /// Reads and discards the rest (a refused push is drained before it is answered, so the client
    /// reads the answer instead of a reset connection).
    func drain() async throws {
        var iterator = makeAsyncIterator()
        while try await iterator.next() != nil {}
    }

    /// Writes the whole body to `file` (a push that must be inspected before it is sent on).
    func spool(to file: URL) async throws -> Int {
        guard FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        var written = 0
        var iterator = makeAsyncIterator()
        while let buffer = try await iterator.next() {
            try handle.write(contentsOf: buffer.readableBytesView)
            written += buffer.readableBytes
        }
        return written
    }
}

/// A spooled file read back in chunks, as an upstream request body.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let file: URL
    static let chunkSize = 256 << 10

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle?
        var failed: (any Error)?

        mutating func next() async throws -> ByteBuffer? {
            if let failed { throw failed }
            guard let handle, let data = try handle.read(upToCount: FileChunks.chunkSize), !data.isEmpty else {
                try? handle?.close()
                return nil
            }
            return ByteBuffer(bytes: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        do {
            return AsyncIterator(handle: try FileHandle(forReadingFrom: file))
        } catch {
            return AsyncIterator(handle: nil, failed: error)
        }
    }
}
