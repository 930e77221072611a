/// Cuts git's stderr byte stream into segments: git ends an update that overwrites the previous
/// one with `\r` and a finished line with `\n`; both end a segment here. Empty segments are dropped.
public struct ProgressLineSplitter: Sendable {
    /// A segment longer than this is cut (git's never are).
    public var maximumSegmentLength: Int
    private var pending: [UInt8] = []

    public init(maximumSegmentLength: Int = 16 * 1024) {
        self.maximumSegmentLength = maximumSegmentLength
    }

    /// The segments completed by `bytes`.
    public mutating func append(_ bytes: some Sequence<UInt8>) -> [String] {
        var segments: [String] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
                if !pending.isEmpty {
                    segments.append(String(decoding: pending, as: UTF8.self))
                    pending.removeAll(keepingCapacity: true)
                }
            } else {
                pending.append(byte)
                if pending.count >= maximumSegmentLength {
                    segments.append(String(decoding: pending, as: UTF8.self))
                    pending.removeAll(keepingCapacity: true)
                }
            }
        }
        return segments
    }

    /// The unterminated rest, at the end of the stream.
    public mutating func finish() -> String? {
        defer { pending.removeAll() }
        return pending.isEmpty ? nil : String(decoding: pending, as: UTF8.self)
    }
}
