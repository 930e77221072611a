import ConnectRPC
import NIOCore
import Testing

@Suite("Envelope framing")
struct EnvelopeTests {
    @Test func framesFlagsBigEndianLengthAndPayload() {
        let envelope = ConnectEnvelope(flags: .endStream, payload: ByteBuffer(string: "{}"))
        #expect(Array(envelope.framed.readableBytesView) == [0x02, 0, 0, 0, 2, 0x7B, 0x7D])

        let large = ConnectEnvelope(payload: ByteBuffer(repeating: 0xAB, count: 0x01_02_03))
        #expect(Array(large.framed.readableBytesView.prefix(5)) == [0x00, 0x00, 0x01, 0x02, 0x03])
        #expect(large.framed.readableBytes == 5 + 0x01_02_03)
    }

    @Test func readsEnvelopesWhateverTheChunkBoundaries() throws {
        let envelopes = [
            ConnectEnvelope(payload: ByteBuffer(string: "first")),
            ConnectEnvelope(payload: ByteBuffer()),
            ConnectEnvelope(flags: .compressed, payload: ByteBuffer(string: String(repeating: "x", count: 300))),
            ConnectEnvelope(flags: .endStream, payload: ByteBuffer(string: "{}")),
        ]
        var wire = ByteBuffer()
        for envelope in envelopes { envelope.write(into: &wire) }
        let bytes = Array(wire.readableBytesView)

        // Every chunk size, including 1 byte at a time (headers split in every possible place).
        for chunkSize in [1, 2, 3, 4, 5, 6, 7, 11, 64, bytes.count] {
            var reader = ConnectEnvelopeReader(maxPayloadBytes: 1024)
            var decoded: [ConnectEnvelope] = []
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + chunkSize, bytes.count)
                reader.append(ByteBuffer(bytes: bytes[offset..<end]))
                offset = end
                while let envelope = try reader.next() { decoded.append(envelope) }
            }
            #expect(decoded == envelopes, "chunk size \(chunkSize)")
            #expect(reader.bufferedByteCount == 0)
        }
    }

    @Test func waitsForTheRestOfAPartialFrame() throws {
        var reader = ConnectEnvelopeReader(maxPayloadBytes: 100)
        reader.append(ByteBuffer(bytes: [0x00, 0x00, 0x00]))
        #expect(try reader.next() == nil)
        reader.append(ByteBuffer(bytes: [0x00, 0x03, 0x61]))
        #expect(try reader.next() == nil)
        #expect(reader.bufferedByteCount == 6)
        reader.append(ByteBuffer(bytes: [0x62, 0x63, 0x00]))
        let envelope = try #require(try reader.next())
        #expect(String(buffer: envelope.payload) == "abc")
        #expect(envelope.flags == [])
        #expect(try reader.next() == nil)
        #expect(reader.bufferedByteCount == 1)
    }

    @Test func refusesAFrameLongerThanTheLimitBeforeItsPayloadArrives() {
        var reader = ConnectEnvelopeReader(maxPayloadBytes: 16)
        reader.append(ByteBuffer(bytes: [0x00, 0x00, 0x00, 0x00, 0x11]))
        #expect(throws: ConnectError(.resourceExhausted, "message of 17 bytes exceeds the limit of 16 bytes")) {
            try reader.next()
        }

        var exact = ConnectEnvelopeReader(maxPayloadBytes: 16)
        exact.append(ConnectEnvelope(payload: ByteBuffer(repeating: 1, count: 16)).framed)
        #expect(throws: Never.self) { try exact.next() }
    }

    @Test func endOfStreamPayloads() throws {
        #expect(String(buffer: EndOfStreamMessage().jsonPayload) == "{}")
        let failed = EndOfStreamMessage(error: ConnectError(.notFound, "no such session"))
        #expect(String(buffer: failed.jsonPayload) == #"{"error":{"code":"not_found","message":"no such session"}}"#)
        let withMetadata = EndOfStreamMessage(error: ConnectError(.aborted), metadata: ["x-reason": ["a", "b"]])
        #expect(String(buffer: withMetadata.jsonPayload) == #"{"error":{"code":"aborted"},"metadata":{"x-reason":["a","b"]}}"#)

        #expect(try EndOfStreamMessage(jsonPayload: ByteBuffer(string: "{}")) == EndOfStreamMessage())
        #expect(try EndOfStreamMessage(jsonPayload: failed.jsonPayload) == failed)
        #expect(try EndOfStreamMessage(jsonPayload: withMetadata.jsonPayload) == withMetadata)
        let unknownCode = try EndOfStreamMessage(
            jsonPayload: ByteBuffer(string: #"{"error":{"code":"teapot","message":"m","details":[]}}"#))
        #expect(unknownCode.error == ConnectError(.unknown, "m"))
        #expect(throws: ConnectError.self) { try EndOfStreamMessage(jsonPayload: ByteBuffer(string: "not json")) }
    }
}
