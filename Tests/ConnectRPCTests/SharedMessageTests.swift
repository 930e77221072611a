import ConnectRPC
import Hummingbird
import SwiftProtobuf
import TestSupport
import Testing

/// One message fanned out to many streams is encoded once per codec, and every stream, whatever
/// its codec, receives it intact.
@Suite("Shared messages")
struct SharedMessageTests {
    @Test func eachCodecEncodesOnceAndGetsItsOwnBytes() throws {
        let shared = ConnectSharedMessage(Echo_V1_CountResponse.with { $0.number = 7; $0.label = "seven" })
        let proto = try shared.payload(.proto)
        let json = try shared.payload(.json)
        #expect(proto != json)
        // The second request of a codec is the stored encoding: same storage, not a new buffer.
        try shared.payload(.proto).withUnsafeReadableBytes { again in
            proto.withUnsafeReadableBytes { first in #expect(again.baseAddress == first.baseAddress) }
        }
        #expect(try ConnectCodec.proto.decode(Echo_V1_CountResponse.self, from: proto) == shared.message)
        #expect(try ConnectCodec.json.decode(Echo_V1_CountResponse.self, from: json) == shared.message)
    }

    @Test func streamsOfBothCodecsReceiveTheSameSharedMessages() async throws {
        let messages = (1...5).map { number in ConnectSharedMessage(Echo_V1_CountResponse.with { $0.number = Int32(number); $0.label = "s" }) }
        try await TestServer.with({ router in
            router.connectServerStream(EchoService.count, Echo_V1_CountRequest.self, Echo_V1_CountResponse.self) { _, _, stream in
                try await stream.send(contentsOf: messages.prefix(2))
                try await stream.send(contentsOf: messages.dropFirst(2))
            }
        }) { server in
            for codec in ConnectCodec.allCases {
                var received: [Echo_V1_CountResponse] = []
                for try await message in server.client(codec: codec).serverStream(
                    EchoService.count, Echo_V1_CountRequest(), as: Echo_V1_CountResponse.self) {
                    received.append(message)
                }
                #expect(received == messages.map(\.message), "\(codec)")
            }
        }
    }
}
