import NIOCore

/// Cuts a byte stream into ``ConnectEnvelope``s, whatever the chunk boundaries.
///
/// Feed it bytes as they arrive with ``append(_:)`` and take complete envelopes with ``next()``;
/// a frame split across chunks (even inside its 5-byte header) is held until it is complete.
/// A frame announcing a payload larger than ``maxPayloadBytes`` is refused as soon as its header
/// is seen, so a peer cannot make us buffer an unbounded amount.
public struct ConnectEnvelopeReader: Sendable {
    public let maxPayloadBytes: Int
    private var buffer = ByteBuffer()

    public init(maxPayloadBytes: Int = ConnectLimits.defaultMaxMessageBytes) {
        self.maxPayloadBytes = maxPayloadBytes
    }

    /// Bytes received but not yet returned as an envelope.
    public var bufferedByteCount: Int { buffer.readableBytes }

    public mutating func append(_ bytes: ByteBuffer) {
        var bytes = bytes
        buffer.writeBuffer(&bytes)
    }

    /// The next complete envelope, or `nil` when more bytes are needed.
    /// - Throws: ``ConnectError/Code/resourceExhausted`` for a frame over the limit.
    public mutating func next() throws(ConnectError) -> ConnectEnvelope? {
        guard buffer.readableBytes >= ConnectEnvelope.headerLength,
              let flags = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
              let length = buffer.getInteger(at: buffer.readerIndex + 1, endianness: .big, as: UInt32.self)
        else { return nil }
        guard UInt64(length) <= UInt64(maxPayloadBytes) else {
            throw ConnectError(.resourceExhausted,
                               "message of \(length) bytes exceeds the limit of \(maxPayloadBytes) bytes")
        }
        let frameLength = ConnectEnvelope.headerLength + Int(length)
        guard buffer.readableBytes >= frameLength else { return nil }
        buffer.moveReaderIndex(forwardBy: ConnectEnvelope.headerLength)
        let payload = buffer.readSlice(length: Int(length))!
        // Keep memory bounded on long streams: drop consumed bytes once nothing is pending.
        if buffer.readableBytes == 0 { buffer.clear() } else if buffer.readerIndex > 64 * 1024 { buffer.discardReadBytes() }
        return ConnectEnvelope(flags: .init(rawValue: flags), payload: payload)
    }
}
