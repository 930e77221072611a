import CZlib
import NIOCore

/// gzip (RFC 1952) on whole messages, through the system zlib.
///
/// Connect compresses each message on its own (a unary body, or one envelope's payload), so a
/// one-shot API is all the protocol needs. Decompression stops as soon as the output would pass
/// the caller's limit: a small "zip bomb" never costs more than `limit + 1` bytes of memory.
enum Gzip {
    enum Failure: Error, Equatable {
        /// The decompressed data would exceed the limit (the limit is carried for messages).
        case tooLarge(limit: Int)
        /// Not gzip, truncated, or corrupt; the text says which (zlib's own words when it has them).
        case malformed(String)
    }

    /// zlib's window bits for "gzip header and trailer, 32 KiB window".
    private static let gzipWindowBits: Int32 = 15 + 16
    /// Output is produced in pieces of at most this many bytes, so a tiny input cannot make us
    /// reserve a large buffer up front.
    private static let outputStep = 256 * 1024

    /// `input` gzip-compressed at zlib's default level.
    static func compress(_ input: ByteBuffer) -> ByteBuffer {
        var stream = z_stream()
        let initStatus = CZlib_deflateInit2(&stream, Z_DEFAULT_COMPRESSION, gzipWindowBits)
        // Only fails for invalid parameters (ours are constant) or when memory is exhausted.
        precondition(initStatus == Z_OK, "zlib deflateInit2 failed with status \(initStatus)")
        defer { deflateEnd(&stream) }

        // deflateBound is the worst case for one deflate(Z_FINISH) call, so a single call finishes.
        let bound = Int(deflateBound(&stream, uLong(input.readableBytes)))
        var output = ByteBuffer()
        input.withUnsafeReadableBytes { inputBytes in
            stream.next_in = UnsafeMutablePointer(mutating: inputBytes.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(inputBytes.count)
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { outputBytes in
                stream.next_out = outputBytes.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(outputBytes.count)
                let status = deflate(&stream, Z_FINISH)
                precondition(status == Z_STREAM_END, "zlib deflate did not finish within deflateBound (status \(status))")
                return outputBytes.count - Int(stream.avail_out)
            }
        }
        return output
    }

    /// The data `input` decompresses to, refusing more than `limit` bytes of output.
    ///
    /// Several concatenated gzip members (which RFC 1952 allows) decompress to their concatenation.
    static func decompress(_ input: ByteBuffer, limit: Int) throws(Failure) -> ByteBuffer {
        var stream = z_stream()
        guard CZlib_inflateInit2(&stream, gzipWindowBits) == Z_OK else {
            throw .malformed("zlib could not be initialised")
        }
        defer { inflateEnd(&stream) }

        var output = ByteBuffer()
        let outcome: Result<Void, Failure> = input.withUnsafeReadableBytes { inputBytes in
            stream.next_in = UnsafeMutablePointer(mutating: inputBytes.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(inputBytes.count)
            while true {
                // Room for at most `limit + 1` bytes in all: one byte past the limit proves the
                // data too large without inflating any further.
                // (Written so that a limit of Int.max cannot overflow.)
                let room = min(limit - output.readableBytes, outputStep - 1) + 1
                var status: Int32 = Z_OK
                output.writeWithUnsafeMutableBytes(minimumWritableBytes: room) { outputBytes in
                    stream.next_out = outputBytes.bindMemory(to: Bytef.self).baseAddress
                    stream.avail_out = uInt(room)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return room - Int(stream.avail_out)
                }
                if output.readableBytes > limit { return .failure(.tooLarge(limit: limit)) }
                switch status {
                case Z_STREAM_END:
                    guard stream.avail_in > 0 else { return .success(()) }
                    // Another gzip member follows; inflateReset keeps the input position.
                    inflateReset(&stream)
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    // No progress was possible although there was room for output: the input ended early.
                    return .failure(.malformed("the gzip data is truncated"))
                default:
                    let detail = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                    return .failure(.malformed("invalid gzip data: \(detail)"))
                }
            }
        }
        try outcome.get()
        return output
    }
}
