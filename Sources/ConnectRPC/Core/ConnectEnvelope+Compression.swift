import NIOCore

extension ConnectEnvelope {
    /// The message bytes of this envelope: its payload, decompressed when the envelope carries the
    /// ``Flags/compressed`` flag.
    ///
    /// - Parameters:
    ///   - compression: the stream's `Connect-Content-Encoding` (`nil` for identity). A flagged
    ///     envelope on a stream that declared no compression is a protocol error.
    ///   - limit: the largest decompressed payload accepted (`resource_exhausted` beyond it).
    ///   - what: names the message in error messages.
    ///   - protocolErrorCode: the code for a flagged envelope without compression: the peer's
    ///     mistake (`invalid_argument`) on a server, the server's (`internal`) on a client.
    func decompressedPayload(compression: ConnectCompression?, limit: Int, what: String,
                             protocolErrorCode: ConnectError.Code) throws(ConnectError) -> ByteBuffer {
        guard flags.contains(.compressed) else { return payload }
        guard let compression else {
            throw ConnectError(protocolErrorCode,
                               "\(what) is flagged as compressed, but the stream declares no connect-content-encoding")
        }
        return try compression.decompress(payload, limit: limit, what: what)
    }
}
