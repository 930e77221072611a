import NIOCore

/// How one side of a call compresses what it sends: with which compression (if any was
/// negotiated), and only from ``minBytes`` on, because compressing a small message costs CPU and
/// gzip's 18 bytes of framing for little or no saving.
struct ConnectMessageCompressor: Sendable {
    var compression: ConnectCompression?
    var minBytes: Int

    static let none = ConnectMessageCompressor(compression: nil, minBytes: 0)

    /// `payload` compressed, or `nil` when there is no compression or it is below ``minBytes``.
    func compressIfWorthwhile(_ payload: ByteBuffer) -> ByteBuffer? {
        guard let compression, payload.readableBytes >= max(minBytes, 1) else { return nil }
        return compression.compress(payload)
    }

    /// One framed envelope for `payload`, compressed (with the flag set) when worthwhile.
    func envelope(_ payload: ByteBuffer, flags: ConnectEnvelope.Flags = []) -> ConnectEnvelope {
        if let compressed = compressIfWorthwhile(payload) {
            return ConnectEnvelope(flags: flags.union(.compressed), payload: compressed)
        }
        return ConnectEnvelope(flags: flags, payload: payload)
    }
}
