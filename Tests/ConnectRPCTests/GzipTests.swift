import ConnectRPC
import Foundation
import NIOCore
import TestSupport
import Testing

/// gzip itself and the negotiation rules, without a server.
@Suite("gzip and compression negotiation")
struct GzipTests {
    static let text = ByteBuffer(string: String(repeating: "Connect over gzip. ", count: 500))

    @Test func roundTrip() throws {
        let compressed = ConnectCompression.gzip.compress(Self.text)
        #expect(compressed.readableBytes < Self.text.readableBytes / 10)
        // RFC 1952 magic bytes and the deflate method.
        #expect(Array(compressed.readableBytesView.prefix(3)) == [0x1F, 0x8B, 0x08])
        let restored = try ConnectCompression.gzip.decompress(compressed, limit: 1 << 20, what: "test message")
        #expect(restored == Self.text)
        // Exactly at the limit is fine.
        #expect(try ConnectCompression.gzip.decompress(compressed, limit: Self.text.readableBytes, what: "m") == Self.text)
    }

    @Test func emptyPayloadsAreNotDecompressed() throws {
        let empty = try ConnectCompression.gzip.decompress(ByteBuffer(), limit: 10, what: "m")
        #expect(empty.readableBytes == 0)
        let compressedEmpty = ConnectCompression.gzip.compress(ByteBuffer())
        #expect(try ConnectCompression.gzip.decompress(compressedEmpty, limit: 10, what: "m").readableBytes == 0)
    }

    /// 16 MiB of zeros compress to ~16 KiB; decompression must stop right after the limit.
    @Test func outputPastTheLimitIsResourceExhausted() throws {
        let bomb = ConnectCompression.gzip.compress(ByteBuffer(repeating: 0, count: 16 << 20))
        #expect(bomb.readableBytes < 64 << 10)
        let error = #expect(throws: ConnectError.self) {
            try ConnectCompression.gzip.decompress(bomb, limit: 1 << 20, what: "request message")
        }
        #expect(error == ConnectError(.resourceExhausted,
                                      "request message exceeds the limit of 1048576 bytes after gzip decompression"))
    }

    @Test func corruptAndTruncatedDataAreInvalidArgument() throws {
        let compressed = ConnectCompression.gzip.compress(Self.text)
        let truncated = compressed.getSlice(at: compressed.readerIndex, length: compressed.readableBytes / 2)!
        let notGzip = ByteBuffer(string: "{\"text\":\"plain\"}")
        // A wrong CRC-32 in the trailer: the data inflates, but the check fails.
        var flipped = compressed
        let crcByte = flipped.readerIndex + flipped.readableBytes - 8
        flipped.setInteger(flipped.getInteger(at: crcByte, as: UInt8.self)! ^ 0xFF, at: crcByte)
        for (input, expected) in [(truncated, "truncated"), (notGzip, "invalid gzip data"), (flipped, "invalid gzip data")] {
            let error = #expect(throws: ConnectError.self) {
                try ConnectCompression.gzip.decompress(input, limit: 1 << 20, what: "m")
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
        }
    }

    @Test func concatenatedMembersDecompressToTheirConcatenation() throws {
        var both = ConnectCompression.gzip.compress(ByteBuffer(string: "first "))
        var second = ConnectCompression.gzip.compress(ByteBuffer(string: "second"))
        both.writeBuffer(&second)
        #expect(String(buffer: try ConnectCompression.gzip.decompress(both, limit: 100, what: "m")) == "first second")
    }

    /// Our gzip and the `gzip` program read each other's output, so the wire format is gzip and not
    /// merely self-consistent.
    @Test(.enabled(if: GzipProgram.path != nil, "no gzip program on PATH"))
    func interoperatesWithTheGzipProgram() async throws {
        let gzip = try #require(GzipProgram.path)
        try await TemporaryDirectory.with { directory in
            let ours = directory.url.appendingPathComponent("ours.txt.gz")
            try Data(ConnectCompression.gzip.compress(Self.text).readableBytesView).write(to: ours)
            let decompressed = try await Command.run(gzip, ["-d", ours.path])
            #expect(decompressed.succeeded, "\(decompressed.stderr)")
            let restored = try Data(contentsOf: directory.url.appendingPathComponent("ours.txt"))
            #expect(restored == Data(Self.text.readableBytesView))

            let theirs = directory.url.appendingPathComponent("theirs.txt")
            try Data(Self.text.readableBytesView).write(to: theirs)
            let compressed = try await Command.run(gzip, ["-9", theirs.path])
            #expect(compressed.succeeded, "\(compressed.stderr)")
            let gz = try Data(contentsOf: directory.url.appendingPathComponent("theirs.txt.gz"))
            let mine = try ConnectCompression.gzip.decompress(ByteBuffer(bytes: gz), limit: 1 << 20, what: "m")
            #expect(mine == Self.text)
        }
    }

    @Test func requestedCompressionNames() throws {
        #expect(try ConnectCompression.requested(nil, field: "content-encoding") == nil)
        #expect(try ConnectCompression.requested("identity", field: "content-encoding") == nil)
        #expect(try ConnectCompression.requested(" GZIP ", field: "content-encoding") == .gzip)
        let error = #expect(throws: ConnectError.self) {
            try ConnectCompression.requested("zstd", field: "connect-content-encoding")
        }
        #expect(error == ConnectError(.unimplemented,
                                      #"connect-content-encoding "zstd" is not supported; supported encodings are gzip, identity"#))
    }

    @Test(arguments: [
        // (Accept-Encoding, request compression, expected response compression)
        (nil, nil, nil),
        (nil, "gzip", "gzip"),  // no header: the client accepts what it sent
        ("gzip", nil, "gzip"),
        ("br, gzip", nil, "gzip"),  // first supported entry wins
        ("identity, gzip", nil, nil),  // identity preferred
        ("gzip;q=0, br", nil, nil),  // q=0 refuses
        ("deflate, gzip;q=0.5", nil, "gzip"),
        ("br", "gzip", nil),  // the header overrides the request's own
    ] as [(String?, String?, String?)])
    func responseCompressionNegotiation(accept: String?, request: String?, expected: String?) {
        let negotiated = ConnectCompression.negotiateResponse(
            accept: accept, requestCompression: request.flatMap(ConnectCompression.init(rawValue:)))
        #expect(negotiated?.rawValue == expected)
    }
}

enum GzipProgram {
    /// `gzip` on PATH (Debian always has it).
    static let path: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/gzip"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()
}
