import NIOCore

/// One frame of a Connect stream: a flags byte, a 4-byte big-endian payload length, the payload.
///
/// Streaming calls carry each message in an envelope; the final envelope of a response has the
/// ``Flags/endStream`` flag and a JSON payload (see ``EndOfStreamMessage``).
public struct ConnectEnvelope: Sendable, Hashable {
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// The payload is compressed with the stream's `Connect-Content-Encoding`.
        public static let compressed = Flags(rawValue: 0x01)
        /// The last envelope of a response; its payload is the end-of-stream JSON.
        public static let endStream = Flags(rawValue: 0x02)
    }

    /// Bytes before the payload: flags (1) + length (4).
    public static let headerLength = 5

    public var flags: Flags
    public var payload: ByteBuffer

    public init(flags: Flags = [], payload: ByteBuffer) {
        self.flags = flags
        self.payload = payload
    }

    /// Appends the framed envelope to `buffer`.
    public func write(into buffer: inout ByteBuffer) {
        buffer.writeInteger(flags.rawValue)
        buffer.writeInteger(UInt32(payload.readableBytes), endianness: .big)
        buffer.writeImmutableBuffer(payload)
    }

    /// The framed envelope as one buffer.
    public var framed: ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(Self.headerLength + payload.readableBytes)
        write(into: &buffer)
        return buffer
    }
}
