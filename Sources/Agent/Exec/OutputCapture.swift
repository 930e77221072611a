/// Collects up to `limit` bytes of a stream; what comes after is counted and dropped (the stream
/// is still read to the end, so the writer never blocks on a full pipe).
struct OutputCapture: Sendable {
    let limit: Int
    private(set) var bytes: [UInt8] = []
    private(set) var droppedByteCount = 0

    init(limit: Int) {
        self.limit = limit
    }

    var truncated: Bool { droppedByteCount > 0 }

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        let room = max(0, limit - bytes.count)
        if chunk.count <= room {
            bytes.append(contentsOf: chunk)
        } else {
            bytes.append(contentsOf: chunk.prefix(room))
            droppedByteCount += chunk.count - room
        }
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }
}
