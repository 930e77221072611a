/// Turns a byte stream into text chunk by chunk without splitting a character: the bytes of a
/// UTF-8 sequence cut at the end of one read are held back and completed by the next.
/// Bytes that are not UTF-8 at all become U+FFFD, as `String(decoding:as:)` does.
struct UTF8Carry: Sendable {
    private var pending: [UInt8] = []

    /// The text of `bytes` (after any held-back bytes), up to the last complete character.
    mutating func text(_ bytes: UnsafeRawBufferPointer) -> String {
        pending.append(contentsOf: bytes)
        let complete = Self.completePrefixLength(pending)
        let text = String(decoding: pending[..<complete], as: UTF8.self)
        pending.removeFirst(complete)
        return text
    }

    /// Whatever is still held back (the stream ended mid-character).
    mutating func flush() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// The length of `bytes` without a trailing incomplete UTF-8 sequence (at most 3 bytes).
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        var index = bytes.count
        var continuation = 0
        while index > 0 && continuation < 3 {
            let byte = bytes[index - 1]
            if byte & 0b1100_0000 == 0b1000_0000 {
                continuation += 1
                index -= 1
                continue
            }
            let needed: Int
            switch byte {
            case 0b1111_0000...: needed = 3
            case 0b1110_0000...: needed = 2
            case 0b1100_0000...: needed = 1
            default: needed = 0
            }
            // A lead byte still waiting for continuation bytes: hold it and them back.
            return needed > continuation ? index - 1 : bytes.count
        }
        return bytes.count
    }
}
